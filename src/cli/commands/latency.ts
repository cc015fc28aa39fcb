import { releaseBackends } from '../../backend/index.js';
import { compareLatency, formatLatencyComparison, latencyMethod, measureLatency, type LatencyMethod, type LatencyOptions } from '../../latency/latency.js';
import { formatLatencyProfile, profileLatency } from '../../latency/profile.js';
import { resolveBackendName, useBackend, type BackendName } from '../../backend/index.js';
import { inputChannelsOf, modelFromCheckpoint } from '../../checkpoint/commands.js';
import { parse, type Options } from '../args.js';

export const summary = "Measures a model's batch-1 inference latency, alone or against a baseline model.";

export const help = `chanlab latency --model A [--checkpoint FILE] [--baseline B [--baseline-checkpoint FILE]] [--method median|official]
             [--backend wasm] [--runs N] [--warmup N] [--input 224] [--batch 1] [--profile] [--json]
  Inference latency: batch 1, fp32, warm-ups, then timed runs with a sync after each, on --backend (else
  CHANLAB_BACKEND, else wasm). --json prints the measurement (or comparison, or profile) as JSON.
  --method median (default): 5 warm-ups, the median of 50 runs. --method official: PiX's test_latency.py
  (5 warm-ups, the mean of 1000 runs at 224²). --runs/--warmup/--input/--batch override the method's values.
  With --baseline, both models side by side and the ratio (e.g. --model pix_resnet50_cs --baseline resnet50).
  --checkpoint builds a chex_resnet* model from a checkpoint's shapes (compact CHEX models).
  --profile: where the time goes instead — every kernel timed per call over --runs passes (default 30), summed by
  kernel and by kernel and input shape, and the JavaScript rest (each model given, baseline too); on webgpu the GPU
  time of every dispatch (timestamp queries) and the dispatches, queue submits, read-backs and uploads per pass.`;

/** Every option of the command (each one is named in `help`: test/cli/help.test.ts checks). */
export const options: Options = {
  model: { type: 'string' }, baseline: { type: 'string' }, backend: { type: 'string' }, runs: { type: 'string' },
  warmup: { type: 'string' }, input: { type: 'string' }, json: { type: 'boolean' }, method: { type: 'string' },
  checkpoint: { type: 'string' }, 'baseline-checkpoint': { type: 'string' }, profile: { type: 'boolean' }, batch: { type: 'string' },
};

export async function run(argv: string[]): Promise<number> {
  const a = parse('latency', argv, options);
  if (a.help) return console.log(help), 0;
  const model = a.str('model') ?? a.positionals[0];
  if (!model) throw new Error('latency: --model is required');
  const method = a.str('method') ?? 'median';
  if (method !== 'median' && method !== 'official') throw new Error(`latency: --method must be median or official, got '${method}'`);
  const m = latencyMethod(method as LatencyMethod);
  const opts: LatencyOptions = {
    backend: resolveBackendName(a.str('backend')), // else CHANLAB_BACKEND, else wasm
    runs: a.int('runs', m.runs), warmup: a.int('warmup', m.warmup, 0), input: a.int('input', m.input),
    batch: a.int('batch', m.batch), statistic: m.statistic,
  };
  try {
    const baseline = a.str('baseline') ?? a.positionals[1];
    const fromCk = (name: string, file: string | undefined) => (file ? modelFromCheckpoint(name, file) : name);
    const ck = a.str('checkpoint') ? modelFromCheckpoint(model, a.need('checkpoint')) : null;
    if (ck) opts.channels = inputChannelsOf(ck);
    if (a.flag('profile')) {
      await useBackend(opts.backend as BackendName);
      for (const name of baseline ? [fromCk(baseline, a.str('baseline-checkpoint')), ck ?? model] : [ck ?? model]) {
        const p = await profileLatency(name, { runs: a.int('runs', 30), warmup: opts.warmup, input: opts.input, batch: opts.batch, channels: opts.channels });
        console.log(a.flag('json') ? JSON.stringify(p, null, 2) : formatLatencyProfile(p) + '\n');
      }
      return 0;
    }
    if (baseline) {
      const c = await compareLatency(fromCk(baseline, a.str('baseline-checkpoint')), ck ?? model, opts);
      console.log(a.flag('json') ? JSON.stringify(c, null, 2) : formatLatencyComparison(c));
    } else {
      const r = await measureLatency(ck ?? model, opts);
      console.log(a.flag('json') ? JSON.stringify(r, null, 2)
        : `${r.model} on ${r.backend}, input [${r.inputShape.join(',')}]: mean ${r.meanMs.toFixed(2)} ms, median ${r.medianMs.toFixed(2)} ms over ${r.runs} runs ` +
          `(method ${method}${opts.runs !== m.runs || opts.warmup !== m.warmup || opts.input !== m.input || opts.batch !== m.batch ? ', overridden' : ''})`);
    }
  } finally {
    releaseBackends();
  }
  return 0;
}
