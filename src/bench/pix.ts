// PiX operator benchmark on the active backend: forward + backward of the custom kernels vs the stock-op composite
// (same backend, same data) at the supplement's sizes (C = 512, 56x56 and 28x28, batch 32, zeta = 4), the forward
// and backward kernels alone, and the copy bandwidth measured in the same rounds as the ceiling for a memory-bound
// op: tf.add(x, 0) on the backend (read + write of x) and, with the native addon, a parallel copy of x's bytes on
// the addon's threads (memcpy per thread and non-temporal stores; on the wasm backend between wasm-heap buffers,
// as the kernels work). The best of them is the reference.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { WebGPUProfiler } from '../backend/webgpu_profile.js';
import { Rng } from '../core/rng.js';
import { nativeAddon } from '../kernels/native/addon.js';
import { copyOnGPU } from '../kernels/webgpu/copy.js';
import { ChanlabPix, ChanlabPixGrad, pix, pixAttrs, type PixOptions } from '../ops/pix/index.js';
import { median } from '../core/stats.js';
import { medianMsInterleaved, randomTensor } from './timing.js';

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
  /** The ChanlabPix kernel alone: median ms and (read x, p; write y) / ms. */
  forwardMs: number;
  forwardGBps: number;
  /** The ChanlabPixGrad kernel alone: median ms and (read x, p, dy; write dx, dp) / ms. */
  backwardMs: number;
  backwardGBps: number;
  /** Bytes of tf.add(x, 0) (read x, write a copy) / its median time. */
  copyGBps: number;
  /** The same bytes through the native addon's parallel copy, the faster of memcpy and non-temporal stores (null
   *  without the addon). */
  nativeCopyGBps: number | null;
  /** max(copyGBps, nativeCopyGBps): the reference of the ratios. */
  bestCopyGBps: number;
  /** On webgpu with timestamp queries: the kernels' GPU time (median, ms) and bytes / time, against a raw WGSL copy of
   *  x timed the same way — the kernels' own bandwidth, without the per-op overhead the wall-clock columns include. */
  gpu: PixGpuTimes | null;
}

export interface PixGpuTimes {
  forwardMs: number;
  backwardMs: number;
  copyMs: number;
  forwardGBps: number;
  backwardGBps: number;
  copyGBps: number;
  /** (bytes forward + backward) / (forwardMs + backwardMs), ÷ copyGBps */
  ratio: number;
}

/** Median GPU time (timestamp queries) of the dispatches of `f`, or null where the device has no timestamps. */
async function gpuMedianMs(f: () => tf.Tensor[], iters: number): Promise<number | null> {
  const times: number[] = [];
  for (let i = 0; i < iters + 1; i++) {
    const prof = new WebGPUProfiler();
    if (prof.timing === 'none') return null;
    prof.start();
    const out = f();
    const r = await prof.stop();
    tf.dispose(out);
    if (i > 0) times.push(r.dispatches.reduce((a, d) => a + (d.gpuMs ?? 0), 0)); // the first compiles
  }
  return median(times);
}

/** Steps that copy x's bytes with the native addon (methods 0 and 1), or none without it. On the wasm backend the
 *  buffers are x and a tensor of its size in the wasm heap; elsewhere two JS arrays of the same size. */
function nativeCopySteps(x: tf.Tensor): { steps: Array<() => tf.Tensor[]>; dispose: () => void } {
  const addon = nativeAddon();
  if (addon === undefined) return { steps: [], dispose: () => undefined };
  const wasm = tf.getBackend() === 'wasm';
  const dst = wasm ? tf.zerosLike(x) : null;
  const arrays = wasm ? null : [new Float32Array(x.size).fill(1), new Float32Array(x.size)] as const;
  const buffers = (): [Float32Array, Float32Array] => {
    if (arrays !== null) return [arrays[0], arrays[1]];
    const b = tf.backend() as BackendWasm; // views again each time: heap growth detaches older ones
    return [b.typedArrayFromHeap(x) as Float32Array, b.typedArrayFromHeap(dst!) as Float32Array];
  };
  const step = (method: 0 | 1) => () => {
    const [src, out] = buffers();
    addon.copy(src, out, method);
    return [];
  };
  return { steps: [step(0), step(1)], dispose: () => dst?.dispose() };
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
    const attrs = pixAttrs({ zeta, checkNaN: false }) as unknown as tf.NamedAttrMap;
    const forward = () => [tf.engine().runKernel(ChanlabPix, { x, p }, attrs) as tf.Tensor];
    const backward = () => tf.engine().runKernel(ChanlabPixGrad, { x, p, dy }, attrs) as tf.Tensor[];
    const copies = nativeCopySteps(x);
    const [customMs, compositeMs, forwardMs, backwardMs, copyMs, ...nativeMs] = await medianMsInterleaved(iters, warmup,
      [step('kernel'), step('composite'), forward, backward, () => [tf.add(x, 0)], ...copies.steps]);
    copies.dispose();
    const X = x.size * 4;
    const Y = dy.size * 4;
    const P = p.size * 4;
    let gpu: PixGpuTimes | null = null;
    if (backend === 'webgpu') {
      const b = tf.backend() as unknown as WebGPUBackend;
      const copy = () => [tf.engine().makeTensorFromTensorInfo(copyOnGPU(b, x))];
      const [f, bw, c] = [await gpuMedianMs(forward, iters), await gpuMedianMs(backward, iters), await gpuMedianMs(copy, iters)];
      if (f !== null && bw !== null && c !== null) {
        const copyGBps = (2 * X) / (c * 1e6);
        gpu = {
          forwardMs: f, backwardMs: bw, copyMs: c, forwardGBps: (X + Y + P) / (f * 1e6), backwardGBps: (2 * X + Y + 2 * P) / (bw * 1e6),
          copyGBps, ratio: (3 * X + 2 * Y + 3 * P) / ((f + bw) * 1e6) / copyGBps,
        };
      }
    }
    const copyGBps = (2 * X) / (copyMs! * 1e6);
    const nativeCopyGBps = nativeMs.length > 0 ? (2 * X) / (Math.min(...nativeMs) * 1e6) : null;
    rows.push({
      backend,
      size: `${batch}x${s}x${s}x${C}`,
      customMs: customMs!,
      compositeMs: compositeMs!,
      speedup: compositeMs! / customMs!,
      effectiveGBps: (3 * X + 2 * Y + 3 * P) / (customMs! * 1e6),
      forwardMs: forwardMs!,
      forwardGBps: (X + Y + P) / (forwardMs! * 1e6),
      backwardMs: backwardMs!,
      backwardGBps: (2 * X + Y + 2 * P) / (backwardMs! * 1e6),
      copyGBps,
      nativeCopyGBps,
      bestCopyGBps: Math.max(copyGBps, nativeCopyGBps ?? 0),
      gpu,
    });
    tf.dispose([x, p, dy]);
  }
  return rows;
}
