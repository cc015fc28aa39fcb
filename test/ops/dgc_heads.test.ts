// The fused DGC head op (src/ops/dgc): every kernel (cpu reference, the per-head wasm driver, wasm with the native
// grouped-conv kernels, webgpu on lavapipe) agrees with the stock-op composite on the cpu backend, values and all
// three gradients, on shapes covering 1×1 / 3×3, stride 2, padding, one head, and gated (zero) saliencies.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { useBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/core/rng.js';
import { nativeStatus } from '../../src/kernels/native/addon.js';
import { nativeKernelsEnabled, setNativeKernels } from '../../src/kernels/native/index.js';
import { dgcHeadsGradWasmConfig, dgcHeadsWasmConfig } from '../../src/kernels/wasm/DgcHeads.js';
import { ChanlabDgcHeads, ChanlabDgcHeadsGrad, dgcHeads, hasDgcHeadsKernel } from '../../src/ops/dgc/index.js';
import { restoreNativeAfterAll } from '../helpers/backends.js';
import { expectAgree, readAndDispose } from '../helpers/tensors.js';

interface Case { B: number; H: number; W: number; C: number; Co: number; k: number; heads: number; stride: number; padding: number }

const CASES: Case[] = [
  { B: 2, H: 3, W: 4, C: 8, Co: 8, k: 1, heads: 4, stride: 1, padding: 0 },
  { B: 2, H: 5, W: 6, C: 8, Co: 4, k: 3, heads: 2, stride: 2, padding: 1 },
  { B: 1, H: 5, W: 5, C: 6, Co: 3, k: 3, heads: 1, stride: 1, padding: 0 },
  { B: 3, H: 6, W: 6, C: 12, Co: 8, k: 1, heads: 4, stride: 2, padding: 0 },
  { B: 2, H: 7, W: 7, C: 16, Co: 16, k: 3, heads: 4, stride: 1, padding: 1 },
];

interface Data { a: Float32Array; g: Float32Array; w: Float32Array; dy: Float32Array; outShape: number[] }

function makeData(c: Case, seed: number): Data {
  const rng = new Rng(seed);
  const fill = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  const Ho = Math.floor((c.H + 2 * c.padding - c.k) / c.stride) + 1;
  const Wo = Math.floor((c.W + 2 * c.padding - c.k) / c.stride) + 1;
  return {
    a: fill(c.B * c.H * c.W * c.C, () => Math.max(0, rng.normal(0, 1))), // post-ReLU like the layer's input
    g: fill(c.heads * c.B * c.C, () => (rng.uniform(0, 1) < 0.5 ? 0 : rng.uniform(0, 2))), // about half dropped
    w: fill(c.k * c.k * c.C * c.Co, () => rng.normal(0, 0.3)),
    dy: fill(c.B * Ho * Wo * c.Co, () => rng.normal(0, 1)),
    outShape: [c.B, Ho, Wo, c.Co],
  };
}

type Result = Float32Array[]; // y, da, dg, dw

async function compute(c: Case, d: Data, impl: 'kernel' | 'composite'): Promise<Result> {
  const a = tf.tensor4d(d.a, [c.B, c.H, c.W, c.C]);
  const g = tf.tensor3d(d.g, [c.heads, c.B, c.C]);
  const w = tf.tensor4d(d.w, [c.k, c.k, c.C, c.Co]);
  const dy = tf.tensor(d.dy, d.outShape);
  const f = (x: tf.Tensor, s: tf.Tensor, k: tf.Tensor): tf.Tensor =>
    dgcHeads(x as tf.Tensor4D, s as tf.Tensor3D, k as tf.Tensor4D, { heads: c.heads, stride: c.stride, padding: c.padding, impl });
  const { value, grads } = tf.valueAndGrads(f as (...args: tf.Tensor[]) => tf.Tensor)([a, g, w], dy);
  expect(value.shape).toEqual(d.outShape);
  return readAndDispose([value, ...grads], [a, g, w, dy]);
}

const agree = (what: string, got: Float32Array, want: Float32Array) => expectAgree(what, got, want, 1e-5, 1e-6);

const reference = new Map<number, Result>();

async function checkAll(backend: string, impl: 'kernel' | 'composite'): Promise<void> {
  if (reference.size === 0) {
    await useBackend('cpu');
    for (const [ci, c] of CASES.entries()) reference.set(ci, await compute(c, makeData(c, 10 + ci), 'composite'));
  }
  await useBackend(backend);
  for (const [ci, c] of CASES.entries()) {
    const r = await compute(c, makeData(c, 10 + ci), impl);
    const ref = reference.get(ci)!;
    ['y', 'da', 'dg', 'dw'].forEach((n, i) => agree(`${backend}/${impl} case ${ci} ${n}`, r[i]!, ref[i]!));
  }
}

restoreNativeAfterAll();

describe('dgcHeads implementations agree with the composite on cpu', () => {
  it('kernels are registered for cpu and webgpu, and for wasm exactly when the native addon is on', async () => {
    await useBackend('webgpu');
    for (const b of ['cpu', 'webgpu']) expect(hasDgcHeadsKernel(b)).toBe(true);
    await useBackend('wasm');
    expect(hasDgcHeadsKernel('wasm')).toBe(nativeKernelsEnabled());
    setNativeKernels(false);
    expect(hasDgcHeadsKernel('wasm')).toBe(false); // pure wasm: the composite
    setNativeKernels(nativeStatus().active);
  });
  it('cpu kernel (reference loops)', () => checkAll('cpu', 'kernel'));
  it('per-head wasm driver (fallback of the native kernels), registered for this test on pure wasm', async () => {
    await useBackend('wasm');
    setNativeKernels(false);
    registerKernel(dgcHeadsWasmConfig);
    registerKernel(dgcHeadsGradWasmConfig);
    try {
      await checkAll('wasm', 'kernel');
    } finally {
      unregisterKernel(ChanlabDgcHeads, 'wasm');
      unregisterKernel(ChanlabDgcHeadsGrad, 'wasm');
    }
  });
  it('wasm kernel with the native addon when it is built (one grouped oneDNN conv)', async () => {
    await useBackend('wasm');
    expect(setNativeKernels(true)).toBe(nativeStatus().active);
    expect(nativeKernelsEnabled()).toBe(nativeStatus().active);
    // without the addon (CHANLAB_NATIVE=0) the op runs its composite on wasm
    await checkAll('wasm', nativeStatus().active ? 'kernel' : 'composite');
  });
  it('webgpu kernel', () => checkAll('webgpu', 'kernel'));
  it('composite on wasm and webgpu', async () => {
    await checkAll('wasm', 'composite');
    await checkAll('webgpu', 'composite');
  });

  it('bad input names the parameter', async () => {
    await useBackend('cpu');
    const a = tf.zeros([1, 2, 2, 4]) as tf.Tensor4D;
    const w = tf.zeros([1, 1, 4, 6]) as tf.Tensor4D;
    expect(() => dgcHeads(a, tf.zeros([2, 1, 3]) as tf.Tensor3D, w, { heads: 2 })).toThrow(/g must have shape \[heads, B, C\] = \[2,1,4\]/);
    expect(() => dgcHeads(a, tf.zeros([4, 1, 4]) as tf.Tensor3D, w, { heads: 4 })).toThrow(/heads \(4\) must divide/);
    expect(() => dgcHeads(a, tf.zeros([2, 1, 4]) as tf.Tensor3D, w, { heads: 2, stride: 0 })).toThrow(/stride/);
    expect(() => dgcHeads(a, tf.zeros([2, 1, 4]) as tf.Tensor3D, w, { heads: 2, impl: 'x' as 'kernel' })).toThrow(/impl must be/);
  });
});
