// Inference latency in the manner of the official PiX `test_latency.py` (docs/methods/pix.md §7.4): eval mode, batch 1,
// 224×224, fp32, 5 warm-up passes, then N timed forward passes each followed by a device sync (here
// `await y.data()`, which waits for the backend and copies the output back). Reports mean (the official number:
// total seconds for 1000 runs = mean ms per image) and median.
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../backend/index.js';
import { createModel } from '../zoo/index.js';
import type { Module } from '../nn/module.js';
import { median } from '../core/stats.js';
import { table } from '../core/table.js';

export { median }; // the one median (src/core/stats.ts), part of the latency API

export interface LatencyOptions {
  /** Backend to activate first ('wasm' | 'webgpu' | 'cpu' | ...); default: whatever is active. */
  backend?: string;
  /** Timed runs (official: 1000). Default 50. */
  runs?: number;
  /** Warm-up runs (official: 5). */
  warmup?: number;
  /** Square input side (224). */
  input?: number;
  batch?: number;
  /** Input channels; default the model's config (3). */
  channels?: number;
  /** Seed of the N(0,1) input (the official script feeds one normalised ImageNet image). */
  seed?: number;
  /** Headline statistic of a comparison: 'mean' (the official method) or 'median' (default, robust on shared machines). */
  statistic?: LatencyStatistic;
}

export type LatencyStatistic = 'mean' | 'median';
export type LatencyMethod = 'official' | 'median';
export const LATENCY_METHODS: readonly LatencyMethod[] = ['official', 'median'];

/**
 * Presets: 'official' is PiX's test_latency.py (pix.md §7.4): batch 1, 224², 5 warm-ups, the mean of 1000 timed runs;
 * 'median' is chanlab's quicker default: 5 warm-ups, the median of 50 runs.
 */
export function latencyMethod(method: LatencyMethod): Required<Pick<LatencyOptions, 'runs' | 'warmup' | 'input' | 'batch' | 'statistic'>> {
  if (method === 'official') return { runs: 1000, warmup: 5, input: 224, batch: 1, statistic: 'mean' };
  if (method === 'median') return { runs: 50, warmup: 5, input: 224, batch: 1, statistic: 'median' };
  throw new Error(`latency method must be one of ${LATENCY_METHODS.join(', ')}, got '${String(method)}'`);
}

export interface LatencyResult {
  model: string;
  backend: string;
  inputShape: number[];
  runs: number;
  warmup: number;
  meanMs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Every timed run, ms. */
  samplesMs: number[];
}

function checkCount(v: number, name: string, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new Error(`measureLatency: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/** One timed-pass context: the model's name, its input shape and `pass()`, one forward pass and a read-back of its
 *  output (the sync after each run, as torch.cuda.synchronize() in the official script). */
export interface EvalPasses {
  name: string;
  inputShape: number[];
  pass(): Promise<void>;
}

/**
 * Runs `body` with `model` (a Module, or a registry name built here and disposed after; a dynamic model built here is
 * put at its end-of-training sparsity with its `finishSchedule()`, where it has one) in eval mode on a seeded
 * N(0,1) input of [batch, input, input, channels]; restores the model's mode afterwards. Shared by the latency
 * measurement and the latency profile (./profile.ts).
 */
export async function withEvalPasses<T>(model: Module | string, opts: Pick<LatencyOptions, 'input' | 'batch' | 'channels' | 'seed'>,
  body: (p: EvalPasses) => Promise<T>): Promise<T> {
  const side = checkCount(opts.input ?? 224, 'input', 1);
  const batch = checkCount(opts.batch ?? 1, 'batch', 1);
  const channels = checkCount(opts.channels ?? 3, 'channels', 1);
  const owned = typeof model === 'string';
  const m = owned ? createModel(model) : model;
  // a dynamic model built untrained runs at the sparsity its training ends with (a fresh DGC model prunes nothing)
  if (owned) (m as Module & { finishSchedule?(): void }).finishSchedule?.();
  const inputShape = [batch, side, side, channels];
  const wasTraining = m.training;
  m.eval();
  const x = tf.randomNormal(inputShape, 0, 1, 'float32', opts.seed ?? 0);
  const pass = async () => {
    const y = tf.tidy(() => m.call(x));
    await y.data();
    y.dispose();
  };
  try {
    return await body({ name: owned ? model : m.typeName, inputShape, pass });
  } finally {
    x.dispose();
    m.train(wasTraining);
    if (owned) m.dispose();
  }
}

/** Latency of `model` (a Module or a registry name; names are built, timed and disposed). */
export async function measureLatency(model: Module | string, opts: LatencyOptions = {}): Promise<LatencyResult> {
  if (opts.backend) await useBackend(opts.backend as Parameters<typeof useBackend>[0]);
  const runs = checkCount(opts.runs ?? 50, 'runs', 1);
  const warmup = checkCount(opts.warmup ?? 5, 'warmup', 0);
  const { name, inputShape, samplesMs } = await withEvalPasses(model, opts, async ({ name, inputShape, pass }) => {
    for (let i = 0; i < warmup; i++) await pass();
    const samplesMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await pass();
      samplesMs.push(performance.now() - t0);
    }
    return { name, inputShape, samplesMs };
  });
  const meanMs = samplesMs.reduce((a, b) => a + b, 0) / samplesMs.length;
  return {
    model: name, backend: tf.getBackend(), inputShape, runs, warmup, meanMs, medianMs: median(samplesMs),
    minMs: Math.min(...samplesMs), maxMs: Math.max(...samplesMs), samplesMs,
  };
}

export interface LatencyComparison {
  a: LatencyResult;
  b: LatencyResult;
  /** b.meanMs / a.meanMs (< 1: b is faster). */
  ratioMean: number;
  ratioMedian: number;
  /** The statistic reductionPct uses. */
  statistic: LatencyStatistic;
  /** 1 − b/a on the statistic (median unless opts.statistic is 'mean'), in % (the "x% faster" figure). */
  reductionPct: number;
}

/** Times A then B under the same options (same backend, input, runs). */
export async function compareLatency(modelA: Module | string, modelB: Module | string, opts: LatencyOptions = {}): Promise<LatencyComparison> {
  const a = await measureLatency(modelA, opts);
  const b = await measureLatency(modelB, { ...opts, backend: undefined });
  const statistic = opts.statistic ?? 'median';
  if (statistic !== 'mean' && statistic !== 'median') throw new Error(`compareLatency: statistic must be 'mean' or 'median', got '${String(statistic)}'`);
  const ratio = statistic === 'mean' ? b.meanMs / a.meanMs : b.medianMs / a.medianMs;
  return { a, b, ratioMean: b.meanMs / a.meanMs, ratioMedian: b.medianMs / a.medianMs, statistic, reductionPct: 100 * (1 - ratio) };
}

/** Side-by-side text of a comparison. */
export function formatLatencyComparison(c: LatencyComparison): string {
  const rows: Array<[string, string, string]> = [
    ['model', c.a.model, c.b.model],
    ['backend', c.a.backend, c.b.backend],
    ['input', c.a.inputShape.join('×'), c.b.inputShape.join('×')],
    ['warm-up / timed runs', `${c.a.warmup} / ${c.a.runs}`, `${c.b.warmup} / ${c.b.runs}`],
    ['mean ms', c.a.meanMs.toFixed(2), c.b.meanMs.toFixed(2)],
    ['median ms', c.a.medianMs.toFixed(2), c.b.medianMs.toFixed(2)],
    ['min / max ms', `${c.a.minMs.toFixed(2)} / ${c.a.maxMs.toFixed(2)}`, `${c.b.minMs.toFixed(2)} / ${c.b.maxMs.toFixed(2)}`],
  ];
  const lines = [table(null, rows, { align: ['left', 'right', 'left'] })];
  lines.push(`B/A: mean ${c.ratioMean.toFixed(3)}, median ${c.ratioMedian.toFixed(3)} (${Math.abs(c.reductionPct).toFixed(1)}% ${c.reductionPct >= 0 ? 'less' : 'more'} time by the ${c.statistic})`);
  return lines.join('\n');
}
