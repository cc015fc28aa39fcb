import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { releaseBackends } from '../../backend/index.js';
import { benchTrainStep } from '../../bench/train-step.js';
import { writeJsonAtomic } from '../../core/fs.js';
import { parse } from '../args.js';
import { fmt, table } from '../table.js';

export const help = `chanlab bench [--backends wasm,webgpu,cpu] [--model resnet20_small] [--batch 32] [--size 32] [--steps 5] [--out bench/results] [--quick]
  Training-step throughput (forward + backward + SGD update) per backend and PyTorch CPU on the same model and batch,
  measured in the same run. Prints a table and writes JSON under bench/results/.`;

export async function run(argv: string[]): Promise<number> {
  const a = parse('bench', argv, {
    backends: { type: 'string' }, model: { type: 'string' }, batch: { type: 'string' }, size: { type: 'string' },
    steps: { type: 'string' }, out: { type: 'string' }, quick: { type: 'boolean' },
  });
  if (a.help) return console.log(help), 0;
  const backends = (a.str('backends') ?? 'wasm,webgpu,cpu').split(',').map((s) => s.trim()).filter(Boolean);
  const started = new Date();
  const trainStep = await benchTrainStep(backends, {
    ...(a.str('model') ? { model: a.need('model') } : {}),
    batch: a.int('batch', 32),
    size: a.int('size', 32),
    steps: a.int('steps', a.flag('quick') ? 2 : 5),
    warmup: a.flag('quick') ? 1 : 2,
  });
  releaseBackends();
  console.log(`\nTraining step: ${trainStep.options.model}, batch ${trainStep.options.batch}, ` +
    `${trainStep.options.size}×${trainStep.options.size}×${trainStep.options.inChannels}, ` +
    `${fmt(trainStep.trainFlopsPerImage / 1e6, 1)} MFLOP per image (3 × forward conv+fc)`);
  console.log(table(['backend', 'batch', 'ms/step', 'img/s', 'GFLOP/s', '× PyTorch', 'note'], trainStep.rows.map((r) => [
    r.backend, r.batch, fmt(r.medianMs, 1), fmt(r.imgPerS, 1), fmt(r.gflops, 2), r.vsTorch === null ? '—' : fmt(r.vsTorch, 3), r.note,
  ])));
  if (trainStep.torchError) console.log(`PyTorch reference unavailable: ${trainStep.torchError}`);
  const result = {
    kind: 'chanlab-bench',
    started: started.toISOString(),
    wallSeconds: (Date.now() - started.getTime()) / 1000,
    hardware: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    node: process.version,
    trainStep,
  };
  const out = join(a.str('out') ?? 'bench/results', `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeJsonAtomic(out, result);
  console.log(`\nwrote ${out}`);
  return 0;
}
