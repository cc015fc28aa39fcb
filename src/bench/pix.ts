// PiX operator benchmark on the active backend: forward + backward of the custom kernels vs the stock-op composite
// (same backend, same data) at the supplement's sizes (C = 512, 56x56 and 28x28, batch 32, zeta = 4), plus the
// backend's measured copy bandwidth (tf.add(x, 0): read + write of x) as the ceiling for a memory-bound op.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng.js';
import { nativeAddon } from '../kernels/native/addon.js';
import { pix, type PixOptions } from '../ops/pix/index.js';
import { median, medianMsInterleaved, randomTensor } from './timing.js';

export interface PixBenchOptions {
  /** Batch 4 instead of 32, fewer iterations. */
  quick?: boolean;
  batch?: number;
  /** Spatial sizes (square), default [56, 28]. */
  sizes?: number[];
  channels?: number;
  zeta?: number;
  iters?: number;
  warmup?: number;
}

export interface PixBenchRow {
  backend: string;
  /** e.g. '32x56x56x512' (N x H x W x C). */
  size: string;
  /** Median ms of one forward + backward with the ChanlabPix / ChanlabPixGrad kernels. */
  customMs: number;
  /** Median ms of the same with the composite (stock ops + customGrad). */
  compositeMs: number;
  speedup: number;
  /** Bytes forward + backward must move (read x, p; write y; read x, p, dy; write dx, dp) / customMs. */
  effectiveGBps: number;
  /** Bytes of tf.add(x, 0) (read x, write a copy) / its median time. */
  copyGBps: number;
  /** The same bytes through the native addon's multithreaded memcpy (null without the addon). */
  nativeCopyGBps: number | null;
}

/** Copy bandwidth (read + write bytes / s) of the native addon's parallel memcpy over `n` floats. */
function nativeCopyGBps(n: number, iters: number): number | null {
  const addon = nativeAddon();
  if (addon === undefined) return null;
  const src = new Float32Array(n).fill(1), dst = new Float32Array(n);
  const times: number[] = [];
  for (let i = 0; i < iters + 1; i++) {
    const t0 = performance.now();
    addon.copy(src, dst);
    if (i > 0) times.push(performance.now() - t0);
  }
  return (8 * n) / (median(times) * 1e6);
}

export async function benchPix(opts: PixBenchOptions = {}): Promise<PixBenchRow[]> {
  const quick = opts.quick ?? false;
  const batch = opts.batch ?? (quick ? 4 : 32);
  const sizes = opts.sizes ?? [56, 28];
  const C = opts.channels ?? 512;
  const zeta = opts.zeta ?? 4;
  const iters = opts.iters ?? (quick ? 3 : 5);
  const warmup = opts.warmup ?? 1;
  const G = Math.ceil(C / zeta);
  const backend = tf.getBackend();
  const rng = new Rng(0);
  const rows: PixBenchRow[] = [];
  for (const s of sizes) {
    const x = randomTensor([batch, s, s, C], rng, 0, 1) as tf.Tensor4D; // post-ReLU-like input
    const p = randomTensor([batch, G], rng, 0.01, 0.99);
    const dy = randomTensor([batch, s, s, G], rng, -1, 1) as tf.Tensor4D;
    const step = (impl: PixOptions['impl']) => () => tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads(
        (a: tf.Tensor, b: tf.Tensor) => pix(a as tf.Tensor4D, b, { zeta, impl, checkNaN: false }))([x, p], dy);
      return [value, ...grads];
    });
    const [customMs, compositeMs, copyMs] = await medianMsInterleaved(iters, warmup,
      [step('kernel'), step('composite'), () => [tf.add(x, 0)]]);
    const X = x.size * 4;
    const Y = dy.size * 4;
    const P = p.size * 4;
    rows.push({
      backend,
      size: `${batch}x${s}x${s}x${C}`,
      customMs,
      compositeMs,
      speedup: compositeMs / customMs,
      effectiveGBps: (3 * X + 2 * Y + 4 * P) / (customMs * 1e6),
      copyGBps: (2 * X) / (copyMs * 1e6),
      nativeCopyGBps: nativeCopyGBps(x.size, iters),
    });
    tf.dispose([x, p, dy]);
  }
  return rows;
}
