import { releaseBackends } from '../../backend/index.js';
import { compareLatency, formatLatencyComparison, measureLatency, type LatencyOptions } from '../../latency/latency.js';
import { inputChannelsOf, modelFromCheckpoint } from '../../checkpoint/commands.js';
import { parse } from '../args.js';

export const help = `chanlab latency --model A [--checkpoint FILE] [--baseline B [--baseline-checkpoint FILE]] [--backend wasm] [--runs 50] [--warmup 5] [--input 224]
  The official PiX latency method (batch 1, fp32, warm-up, timed runs with a sync after each; mean and median ms).
  With --baseline, both models side by side and the ratio (e.g. --model pix_resnet50_cs --baseline resnet50).
  --checkpoint builds a chex_resnet* model from a checkpoint's shapes (compact CHEX models).`;

export async function run(argv: string[]): Promise<number> {
  const a = parse('latency', argv, {
    model: { type: 'string' }, baseline: { type: 'string' }, backend: { type: 'string' }, runs: { type: 'string' },
    warmup: { type: 'string' }, input: { type: 'string' }, json: { type: 'boolean' }, checkpoint: { type: 'string' },
    'baseline-checkpoint': { type: 'string' },
  });
  if (a.help) return console.log(help), 0;
  const model = a.str('model') ?? a.positionals[0];
  if (!model) throw new Error('latency: --model is required');
  const opts: LatencyOptions = { backend: a.str('backend') ?? 'wasm', runs: a.int('runs', 50), warmup: a.int('warmup', 5, 0), input: a.int('input', 224) };
  try {
    const baseline = a.str('baseline') ?? a.positionals[1];
    const fromCk = (name: string, file: string | undefined) => (file ? modelFromCheckpoint(name, file) : name);
    const ck = a.str('checkpoint') ? modelFromCheckpoint(model, a.need('checkpoint')) : null;
    if (ck) opts.channels = inputChannelsOf(ck);
    if (baseline) {
      const c = await compareLatency(fromCk(baseline, a.str('baseline-checkpoint')), ck ?? model, opts);
      console.log(a.flag('json') ? JSON.stringify(c, null, 2) : formatLatencyComparison(c));
    } else {
      const r = await measureLatency(ck ?? model, opts);
      console.log(a.flag('json') ? JSON.stringify(r, null, 2)
        : `${r.model} on ${r.backend}, input [${r.inputShape.join(',')}]: mean ${r.meanMs.toFixed(2)} ms, median ${r.medianMs.toFixed(2)} ms over ${r.runs} runs`);
    }
  } finally {
    releaseBackends();
  }
  return 0;
}
