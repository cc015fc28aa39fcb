import { releaseBackends } from '../../backend/index.js';
import { runEvalCommand, runTrainCommand } from '../../train/commands.js';
import { parse } from '../args.js';

export const help = `chanlab train --config PRESET|FILE [--backend wasm] [--run-dir DIR] [--resume] [--set JSON] [--quiet]
  Trains a model from a preset (configs/*.json: quick, pix-imagenet-lamb, …) or a config file into a run directory
  (config, manifest, metrics.jsonl, atomic checkpoints). --resume continues a run directory exactly.
  One process per run directory (run.lock). Ctrl-C / SIGTERM checkpoint and stop (exit 130 / 143); a NaN/Inf loss
  stops the run as diverged (exit 3). manifest.json ends finished, interrupted, diverged or failed, with the reason.`;

export async function run(argv: string[]): Promise<number> {
  const a = parse('train', argv, {
    config: { type: 'string' }, backend: { type: 'string' }, 'run-dir': { type: 'string' }, resume: { type: 'boolean' },
    set: { type: 'string' }, quiet: { type: 'boolean' },
  });
  if (a.help) return console.log(help), 0;
  let overrides: Record<string, unknown> | undefined;
  if (a.str('set')) {
    try {
      overrides = JSON.parse(a.need('set')) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`train: --set must be a JSON object (e.g. '{"epochs":1}'): ${(e as Error).message}`);
    }
  }
  try {
    await runTrainCommand({
      config: a.str('config') ?? a.positionals[0], backend: a.str('backend'), resume: a.flag('resume'),
      runDir: a.str('run-dir'), overrides, quiet: a.flag('quiet'),
    });
  } finally {
    releaseBackends();
  }
  return 0;
}

export const evalHelp = `chanlab eval --checkpoint FILE --data fashion_mnist[:ROOT] [--model NAME] [--backend wasm] [--ema] [--batch-size 256] [--allow-non-finite]
  Evaluates a training checkpoint on a dataset's test split (top-1, top-5, loss). A checkpoint with NaN/Inf weights is
  refused unless --allow-non-finite; non-finite logits count as wrong, are reported, and make the exit status 3.`;

export async function runEval(argv: string[]): Promise<number> {
  const a = parse('eval', argv, {
    model: { type: 'string' }, checkpoint: { type: 'string' }, data: { type: 'string' }, backend: { type: 'string' },
    ema: { type: 'boolean' }, 'batch-size': { type: 'string' }, quiet: { type: 'boolean' }, 'allow-non-finite': { type: 'boolean' },
  });
  if (a.help) return console.log(evalHelp), 0;
  try {
    const r = await runEvalCommand({
      model: a.str('model'), checkpoint: a.need('checkpoint'), data: a.need('data'), backend: a.str('backend'),
      ema: a.flag('ema'), batchSize: a.int('batch-size', 256), quiet: a.flag('quiet'), allowNonFinite: a.flag('allow-non-finite'),
    });
    return r.nonFinite > 0 ? 3 : 0;
  } finally {
    releaseBackends();
  }
}
