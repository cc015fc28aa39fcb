// The quick-tier training run: the `quick` preset (a small ResNet on real Fashion-MNIST) on the embedded backend.
import { join } from 'node:path';
import { train } from '../../src/index.js';
import type { ReproDefinition } from '../definition.js';

export const quickTrain: ReproDefinition = {
  id: 'fashion-mnist-quick',
  title: 'Quick tier: small ResNet on Fashion-MNIST (test top-1 and wall time)',
  reproduces: 'engine smoke test (no paper table): the training loop, data pipeline and wasm kernels end to end',
  tiers: ['quick'],
  async run(ctx) {
    // A fresh run directory each time (a finished run is never overwritten).
    const runDir = join(ctx.workDir, `run-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    const r = await train.runTrainCommand({ config: 'quick', backend: ctx.backend, runDir, quiet: ctx.quiet });
    const config = train.loadConfig('quick');
    const results = {
      model: config.model,
      epochs: config.epochs,
      steps: r.steps,
      testTop1: r.final?.top1 ?? null,
      testTop5: r.final?.top5 ?? null,
      testLoss: r.final?.loss ?? null,
      wallSeconds: r.wallSeconds,
      target: { testTop1AtLeast: 90, wallSecondsUnder: 600, note: 'issue target on 2 cores (benchmark figure, not a test)' },
      runDir,
    };
    const markdown = `| model | epochs | steps | test top-1 | test top-5 | wall time |\n|---|---|---|---|---|---|\n` +
      `| ${config.model} | ${config.epochs} | ${r.steps} | ${r.final?.top1.toFixed(2)}% | ${r.final?.top5.toFixed(2)}% | ${r.wallSeconds.toFixed(0)} s |\n`;
    return { config, seed: config.seed ?? 0, results, markdown, summary: `test top-1 ${r.final?.top1.toFixed(2)}% in ${r.wallSeconds.toFixed(0)} s` };
  },
};
