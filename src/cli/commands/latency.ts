import { releaseBackends } from '../../backend/index.js';
import { compareLatency, formatLatencyComparison, measureLatency } from '../../latency/latency.js';
import { parse } from '../args.js';

export const help = `chanlab latency --model A [--baseline B] [--backend wasm] [--runs 50] [--warmup 5] [--input 224]
  The official PiX latency method (batch 1, fp32, warm-up, timed runs with a sync after each; mean and median ms).
  With --baseline, both models side by side and the ratio (e.g. --model pix_resnet50_cs --baseline resnet50).`;

export async function run(argv: string[]): Promise<number> {
  const a = parse('latency', argv, {
    model: { type: 'string' }, baseline: { type: 'string' }, backend: { type: 'string' }, runs: { type: 'string' },
    warmup: { type: 'string' }, input: { type: 'string' }, json: { type: 'boolean' },
  });
  if (a.help) return console.log(help), 0;
  const model = a.str('model') ?? a.positionals[0];
  if (!model) throw new Error('latency: --model is required');
  const opts = { backend: a.str('backend') ?? 'wasm', runs: a.int('runs', 50), warmup: a.int('warmup', 5, 0), input: a.int('input', 224) };
  try {
    const baseline = a.str('baseline') ?? a.positionals[1];
    if (baseline) {
      const c = await compareLatency(baseline, model, opts);
      console.log(a.flag('json') ? JSON.stringify(c, null, 2) : formatLatencyComparison(c));
    } else {
      const r = await measureLatency(model, opts);
      console.log(a.flag('json') ? JSON.stringify(r, null, 2)
        : `${r.model} on ${r.backend}, input [${r.inputShape.join(',')}]: mean ${r.meanMs.toFixed(2)} ms, median ${r.medianMs.toFixed(2)} ms over ${r.runs} runs`);
    }
  } finally {
    releaseBackends();
  }
  return 0;
}
