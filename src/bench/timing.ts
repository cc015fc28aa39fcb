// Timing helpers shared by the benchmarks: wait for a backend's queue, median of interleaved runs, seeded inputs.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';
import { median } from '../core/stats.js';

/** Waits until the backend has finished everything queued before `ts` were produced. */
async function settle(ts: tf.Tensor[]): Promise<void> {
  const b = tf.getBackend();
  if (b === 'cpu' || b === 'wasm' || ts.length === 0) return; // synchronous backends, or host-side work: done when the call returns
  // GPU queues run in order: reading one element of each output waits for all of them, at a negligible cost.
  const probe = tf.tidy(() => tf.addN(ts.map((t) => tf.slice(tf.reshape(t, [-1]), [0], [1]))));
  await probe.data();
  probe.dispose();
}

async function timeMs(step: () => tf.Tensor[]): Promise<number> {
  const t0 = performance.now();
  const out = step();
  await settle(out);
  const dt = performance.now() - t0;
  tf.dispose(out);
  return dt;
}

/**
 * Median ms of each step, the steps interleaved round by round so that load from other processes hits them alike
 * (the ratio custom / composite is what the benchmark is about).
 */
export async function medianMsInterleaved(iters: number, warmup: number, steps: Array<() => tf.Tensor[]>): Promise<number[]> {
  const times: number[][] = steps.map(() => []);
  for (let i = 0; i < warmup + iters; i++) {
    for (const [k, step] of steps.entries()) {
      const dt = await timeMs(step);
      if (i >= warmup) times[k].push(dt);
    }
  }
  return times.map(median);
}

export function randomTensor(shape: number[], rng: Rng, low: number, high: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillUniform(new Float32Array(n), low, high), shape);
}
