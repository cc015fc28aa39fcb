// The kept-channel eval op of a DGC layer (dgcEval, src/ops/dgc/eval.ts; docs/methods/dgc.md §8.3): every kernel
// (cpu reference loops, wasm with the native addon, webgpu on lavapipe) gives the masked composite's y and gated
// saliencies on random shapes (1×1 / 3×3 / 5×5, stride 2, padding, batch 1 and N, C'/h of 1..16, nothing dropped,
// everything but one dropped, exact ties at the threshold); the layer picks the kernel in eval mode and the masked
// form under a gradient tape; bad input names the parameter.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/core/rng.js';
import { nativeStatus } from '../../src/kernels/native/addon.js';
import { setNativeKernels } from '../../src/kernels/native/index.js';
import { DynamicMultiHeadConv } from '../../src/methods/dgc/layer.js';
import { manualSeed } from '../../src/nn/init.js';
import { dgcEval, hasDgcEvalKernel, type DgcEvalInputs } from '../../src/ops/dgc/index.js';
import { restoreNativeAfterAll } from '../helpers/backends.js';
import { expectAgree, readAndDispose } from '../helpers/tensors.js';

interface Case { B: number; H: number; W: number; C: number; Co: number; k: number; heads: number; stride: number; padding: number; inactive: number; d: number; ties?: boolean }

const CASES: Case[] = [
  { B: 1, H: 9, W: 9, C: 32, Co: 16, k: 3, heads: 4, stride: 1, padding: 1, inactive: 24, d: 4 },
  { B: 5, H: 8, W: 7, C: 24, Co: 32, k: 1, heads: 4, stride: 1, padding: 0, inactive: 13, d: 3 },
  { B: 3, H: 7, W: 7, C: 40, Co: 24, k: 3, heads: 4, stride: 2, padding: 1, inactive: 28, d: 5 },
  { B: 2, H: 6, W: 5, C: 16, Co: 8, k: 5, heads: 2, stride: 1, padding: 2, inactive: 0, d: 2 },
  { B: 4, H: 6, W: 6, C: 64, Co: 64, k: 1, heads: 4, stride: 2, padding: 0, inactive: 48, d: 8 },
  { B: 2, H: 5, W: 5, C: 12, Co: 12, k: 3, heads: 1, stride: 1, padding: 0, inactive: 11, d: 3 },
  // saliencies tied in pairs (w2 = 0, b2 with repeated values): ties at the threshold are dropped
  { B: 2, H: 4, W: 4, C: 16, Co: 8, k: 1, heads: 2, stride: 1, padding: 0, inactive: 5, d: 2, ties: true },
];

function inputs(c: Case, seed: number): DgcEvalInputs {
  const rng = new Rng(seed);
  const t = (shape: number[], f: () => number) => tf.tensor(Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, f), shape);
  return {
    x: t([c.B, c.H, c.W, c.C], () => rng.normal(0, 1)) as tf.Tensor4D,
    mean: t([c.C], () => rng.normal(0, 0.2)) as tf.Tensor1D,
    variance: t([c.C], () => rng.uniform(0.5, 1.5)) as tf.Tensor1D,
    gamma: t([c.C], () => rng.uniform(0.5, 1.5)) as tf.Tensor1D,
    beta: t([c.C], () => rng.normal(0, 0.2)) as tf.Tensor1D,
    w1: t([c.heads, c.d, c.C], () => rng.normal(0, Math.sqrt(2 / c.C))) as tf.Tensor3D,
    w2: t([c.heads, c.d, c.C], () => (c.ties ? 0 : rng.normal(0, Math.sqrt(2 / c.d)))) as tf.Tensor3D,
    b2: (c.ties ? tf.tensor(Float32Array.from({ length: c.heads * c.C }, (_, i) => 1 + ((i % c.C) >> 1) * 0.125), [c.heads, c.C])
      : t([c.heads, c.C], () => 1 + rng.normal(0, 0.1))) as tf.Tensor2D,
    w: t([c.k, c.k, c.C, c.Co], () => rng.normal(0, 0.2)) as tf.Tensor4D,
  };
}

async function run(c: Case, seed: number, impl: 'kernel' | 'composite'): Promise<{ y: Float32Array; gated: Float32Array }> {
  const ins = inputs(c, seed);
  const { y, gated } = dgcEval(ins, { heads: c.heads, stride: c.stride, padding: c.padding, inactive: c.inactive, impl });
  const Ho = Math.floor((c.H + 2 * c.padding - c.k) / c.stride) + 1;
  expect(y.shape).toEqual([c.B, Ho, Math.floor((c.W + 2 * c.padding - c.k) / c.stride) + 1, c.Co]);
  expect(gated.shape).toEqual([c.heads, c.B, c.C]);
  const [yv, gv] = await readAndDispose([y, gated], Object.values(ins));
  return { y: yv!, gated: gv! };
}

/** Within 1e-5 of the masked values (relative to their largest) and zero exactly where they are (the kept pattern). */
function agree(what: string, got: Float32Array, want: Float32Array): void {
  expectAgree(what, got, want);
  const i = want.findIndex((v, j) => (v === 0) !== (got[j] === 0));
  if (i >= 0) throw new Error(`${what}[${i}]: kept pattern differs (got ${got[i]}, masked ${want[i]})`);
}

/** The kernel of `backend` against the masked composite on the same backend and on cpu. */
async function checkBackend(backend: string): Promise<void> {
  const reference: Array<{ y: Float32Array; gated: Float32Array }> = [];
  await useBackend('cpu');
  for (const [ci, c] of CASES.entries()) reference.push(await run(c, 20 + ci, 'composite'));
  await useBackend(backend);
  expect(hasDgcEvalKernel()).toBe(true);
  for (const [ci, c] of CASES.entries()) {
    const kept = await run(c, 20 + ci, 'kernel');
    const masked = await run(c, 20 + ci, 'composite');
    for (const [name, want] of [['masked', masked], ['cpu masked', reference[ci]!]] as const) {
      agree(`${backend} case ${ci} y vs ${name}`, kept.y, want.y);
      agree(`${backend} case ${ci} gated vs ${name}`, kept.gated, want.gated);
    }
  }
}

restoreNativeAfterAll();

describe('dgcEval: the kept-channel kernels equal the masked composite', () => {
  it('tied saliencies are all dropped at the threshold (the case exercises ties)', async () => {
    await useBackend('cpu');
    const c = CASES[CASES.length - 1]!;
    const { gated } = await run(c, 99, 'composite');
    // per row, C − inactive = 11 kept at most; pairs tie, so the pair straddling the threshold is dropped: 10 kept
    for (let r = 0; r < c.heads * c.B; r++) expect(gated.slice(r * c.C, (r + 1) * c.C).filter((v) => v > 0).length).toBe(10);
  });
  it('cpu reference loops', () => checkBackend('cpu'));
  it('wasm with the native addon (without it the op runs its composite)', async () => {
    await useBackend('wasm');
    if (!nativeStatus().active) {
      expect(hasDgcEvalKernel('wasm')).toBe(false);
      return;
    }
    await checkBackend('wasm');
    setNativeKernels(false);
    expect(hasDgcEvalKernel('wasm')).toBe(false);
    setNativeKernels(true);
  });
  it('webgpu', () => checkBackend('webgpu'));
});

describe('the layer in eval mode', () => {
  it('runs the kernel (kept channels) and equals its masked form, batch 1 and N; a gradient tape takes the masked form', async () => {
    await useBackend('wasm');
    manualSeed(3);
    const m = new DynamicMultiHeadConv({ inChannels: 32, outChannels: 16, kernelSize: 3, padding: 1, gateFactor: 0.25 });
    m.inactiveChannels = 24;
    m.eval();
    for (const B of [1, 4]) {
      const x = tf.randomNormal([B, 6, 6, 32], 0, 1, 'float32', B);
      m.evalImpl = 'composite';
      const masked = m.call(x);
      m.evalImpl = nativeStatus().active ? 'kernel' : 'auto';
      const kept = m.call(x);
      agree(`layer batch ${B}`, (await kept.data()) as Float32Array, (await masked.data()) as Float32Array);
      // under a tape (e.g. Grad-CAM in eval mode) the forward is the differentiable masked form, even with 'kernel'
      const dx = tf.grad((v: tf.Tensor) => tf.sum(m.call(v)))(x);
      expect(dx.shape).toEqual(x.shape);
      expect(Array.from(await dx.data()).every(Number.isFinite)).toBe(true);
      tf.dispose([x, masked, kept, dx]);
    }
    // eval forwards count kept channels only while a training loop drives the layer (progress set)
    expect(m.keptStats()).toBeNull();
    m.progress = 1;
    m.call(tf.randomNormal([2, 6, 6, 32])).dispose();
    expect(m.keptStats()!.keptFraction).toBeLessThanOrEqual(0.25);
    m.dispose();
  });

  it('bad input names the parameter', async () => {
    await useBackend('cpu');
    const c = CASES[0]!;
    const ins = inputs(c, 1);
    const o = { heads: 4, stride: 1, padding: 1, inactive: 24 };
    expect(() => dgcEval({ ...ins, w1: tf.zeros([4, 4, 31]) as tf.Tensor3D }, o)).toThrow(/w1 must have shape \[heads, d, C\] = \[4,d ≥ 1,32\]/);
    expect(() => dgcEval({ ...ins, w2: tf.zeros([4, 3, 32]) as tf.Tensor3D }, o)).toThrow(/w2 must have shape \[heads, d, C\] = \[4,4,32\]/);
    expect(() => dgcEval({ ...ins, b2: tf.zeros([4, 31]) as tf.Tensor2D }, o)).toThrow(/b2 must have shape \[heads, C\] = \[4,32\]/);
    expect(() => dgcEval({ ...ins, variance: tf.zeros([3]) as tf.Tensor1D }, o)).toThrow(/variance must have shape \[32\]/);
    expect(() => dgcEval({ ...ins, w: tf.zeros([3, 3, 32, 18]) as tf.Tensor4D }, o)).toThrow(/heads \(4\) must divide the output channels of w \(18\)/);
    expect(() => dgcEval(ins, { ...o, inactive: 33 })).toThrow(/k \(channels to drop\) must be an integer in \[0, 32\], got 33/);
    expect(() => dgcEval(ins, { ...o, epsilon: 0 })).toThrow(/epsilon must be > 0/);
    expect(() => dgcEval(ins, { ...o, impl: 'x' as 'kernel' })).toThrow(/impl must be one of 'auto', 'kernel', 'composite'/);
    expect(() => dgcEval({ ...ins, x: tf.zeros([1, 9, 9, 32], 'int32') as tf.Tensor4D }, o)).toThrow(/x must be a float32 tensor, got int32/);
    await useBackend('wasm');
    setNativeKernels(false);
    expect(() => dgcEval(inputs(c, 1), { ...o, impl: 'kernel' })).toThrow(/impl 'kernel' requested but no ChanlabDgcEval kernel is registered for backend 'wasm'/);
    setNativeKernels(nativeStatus().active);
  });
});
