// The kept-channel training op of a DGC layer (dgcTrain, src/ops/dgc/train.ts; docs/methods/dgc.md §8.3): the native
// kernels (forward and the one registered gradient, which compute only the kept channels) give the masked form's y,
// saliencies g and all five gradients (a, w1, w2, b2, w; a loss that uses g too, as the lasso term does) on random
// shapes, batch 1 and N, nothing dropped and all but one dropped; the layer's training step takes them by default and
// equals its masked form; bad input names the parameter. The heads' stacking op (dgcStackHeads) equals the stock-op
// stacking exactly, values and gradients.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/core/rng.js';
import { nativeStatus } from '../../src/kernels/native/addon.js';
import { setNativeKernels } from '../../src/kernels/native/index.js';
import { DynamicMultiHeadConv } from '../../src/methods/dgc/layer.js';
import { manualSeed } from '../../src/nn/init.js';
import {
  dgcStackHeads, dgcStackHeadsComposite, dgcTrain, hasDgcStackHeadsKernel, hasDgcTrainKernel, type DgcHeadParams,
} from '../../src/ops/dgc/index.js';
import { restoreNativeAfterAll } from '../helpers/backends.js';
import { expectAgree, readAndDispose } from '../helpers/tensors.js';

interface Case { B: number; H: number; C: number; Co: number; k: number; heads: number; stride: number; padding: number; inactive: number; d: number }

const CASES: Case[] = [
  { B: 1, H: 9, C: 32, Co: 16, k: 3, heads: 4, stride: 1, padding: 1, inactive: 24, d: 4 },
  { B: 3, H: 8, C: 24, Co: 8, k: 1, heads: 4, stride: 1, padding: 0, inactive: 13, d: 3 },
  { B: 2, H: 7, C: 40, Co: 24, k: 3, heads: 4, stride: 2, padding: 1, inactive: 28, d: 5 },
  { B: 5, H: 6, C: 64, Co: 32, k: 1, heads: 4, stride: 2, padding: 0, inactive: 48, d: 8 },
  { B: 2, H: 5, C: 16, Co: 8, k: 5, heads: 2, stride: 1, padding: 2, inactive: 0, d: 2 },
  { B: 2, H: 6, C: 12, Co: 12, k: 3, heads: 1, stride: 1, padding: 1, inactive: 11, d: 3 },
];

function data(c: Case, seed: number): { a: tf.Tensor4D; p: DgcHeadParams; dy: tf.Tensor } {
  const rng = new Rng(seed);
  const t = (shape: number[], f: () => number) => tf.tensor(Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, f), shape);
  const Ho = Math.floor((c.H + 2 * c.padding - c.k) / c.stride) + 1;
  return {
    a: t([c.B, c.H, c.H, c.C], () => Math.max(0, rng.normal(0, 1))) as tf.Tensor4D,
    p: {
      w1: t([c.heads, c.d, c.C], () => rng.normal(0, Math.sqrt(2 / c.C))) as tf.Tensor3D,
      w2: t([c.heads, c.d, c.C], () => rng.normal(0, Math.sqrt(2 / c.d))) as tf.Tensor3D,
      b2: t([c.heads, c.C], () => 1 + rng.normal(0, 0.3)) as tf.Tensor2D,
      w: t([c.k, c.k, c.C, c.Co], () => rng.normal(0, 0.2)) as tf.Tensor4D,
    },
    dy: t([c.B, Ho, Ho, c.Co], () => rng.normal(0, 1)),
  };
}

/** y, g and the gradients of Σ y·dy + 0.3·Σ g w.r.t. a, w1, w2, b2, w. */
async function run(c: Case, seed: number, impl: 'auto' | 'kernel' | 'masked'): Promise<Float32Array[]> {
  const { a, p, dy } = data(c, seed);
  const o = { heads: c.heads, stride: c.stride, padding: c.padding, inactive: c.inactive, impl };
  const { y, g } = dgcTrain(a, p, o);
  const grads = tf.grads((aa: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor, w: tf.Tensor) => {
    const r = dgcTrain(aa as tf.Tensor4D, { w1: w1 as tf.Tensor3D, w2: w2 as tf.Tensor3D, b2: b2 as tf.Tensor2D, w: w as tf.Tensor4D }, o);
    return tf.add(tf.sum(tf.mul(r.y, dy)), tf.mul(0.3, tf.sum(r.g)));
  })([a, p.w1, p.w2, p.b2, p.w]);
  return readAndDispose([y, g, ...grads], [a, dy, ...Object.values(p)]);
}

const agree = (what: string, got: Float32Array, want: Float32Array) => expectAgree(what, got, want, 1e-5, 1e-7);

restoreNativeAfterAll();

describe('dgcTrain', () => {
  it('the native kernels equal the masked form: y, g and the gradients of a, w1, w2, b2, w', async () => {
    await useBackend('wasm');
    if (!nativeStatus().active) {
      expect(hasDgcTrainKernel()).toBe(false);
      return;
    }
    expect(hasDgcTrainKernel()).toBe(true);
    for (const [ci, c] of CASES.entries()) {
      const kept = await run(c, 40 + ci, 'kernel');
      const masked = await run(c, 40 + ci, 'masked');
      ['y', 'g', 'da', 'dw1', 'dw2', 'db2', 'dw'].forEach((n, i) => agree(`case ${ci} ${n}`, kept[i]!, masked[i]!));
    }
  });

  it('runs its masked form where no kernel is registered (cpu, pure wasm); the wasm kernel equals the cpu values', async () => {
    await useBackend('cpu');
    expect(hasDgcTrainKernel()).toBe(false);
    const ref = await run(CASES[2]!, 7, 'auto');
    await useBackend('wasm');
    const kept = await run(CASES[2]!, 7, 'auto');
    ref.forEach((r, i) => agree(`wasm vs cpu ${i}`, kept[i]!, r));
    setNativeKernels(false);
    expect(hasDgcTrainKernel()).toBe(false);
    expect(() => dgcTrain(tf.zeros([1, 4, 4, 8]) as tf.Tensor4D, { w1: tf.zeros([2, 1, 8]) as tf.Tensor3D, w2: tf.zeros([2, 1, 8]) as tf.Tensor3D, b2: tf.zeros([2, 8]) as tf.Tensor2D, w: tf.zeros([1, 1, 8, 4]) as tf.Tensor4D }, { heads: 2, inactive: 4, impl: 'kernel' }))
      .toThrow(/impl 'kernel' requested but no ChanlabDgcTrain kernel is registered for backend 'wasm'/);
    setNativeKernels(nativeStatus().active);
  });

  it('the layer trains through it by default, with the loss, lasso and gradients of its masked form', async () => {
    await useBackend('wasm');
    manualSeed(5);
    const m = new DynamicMultiHeadConv({ inChannels: 32, outChannels: 16, kernelSize: 3, padding: 1, gateFactor: 0.25 });
    m.inactiveChannels = 24;
    const x = tf.randomNormal([3, 6, 6, 32], 0, 1, 'float32', 9);
    const vars = m.trainableVariables();
    const step = async (impl: 'auto' | 'masked') => {
      m.headsImpl = impl;
      const { value, grads } = tf.variableGrads(() => tf.add(tf.sum(tf.square(m.call(x))), m.lasso!) as tf.Scalar, vars);
      const r = [await value.data(), ...(await Promise.all(vars.map((v) => grads[v.name]!.data())))] as Float32Array[];
      tf.dispose([value, ...Object.values(grads)]);
      return r;
    };
    const kept = await step('auto');
    const masked = await step('masked');
    expect(kept.length).toBe(vars.length + 1);
    kept.forEach((k, i) => agree(`layer ${i === 0 ? 'loss' : vars[i - 1]!.name}`, k, masked[i]!));
    tf.dispose(x);
    m.dispose();
  });

  it('bad input names the parameter', async () => {
    await useBackend('cpu');
    const { a, p } = data(CASES[1]!, 1);
    const o = { heads: 4, inactive: 13 };
    expect(() => dgcTrain(a, { ...p, w1: tf.zeros([4, 3, 23]) as tf.Tensor3D }, o)).toThrow(/w1 must have shape \[heads, d, C\] = \[4,d ≥ 1,24\]/);
    expect(() => dgcTrain(a, { ...p, b2: tf.zeros([4, 23]) as tf.Tensor2D }, o)).toThrow(/b2 must have shape \[heads, C\] = \[4,24\]/);
    expect(() => dgcTrain(a, p, { ...o, inactive: 25 })).toThrow(/k \(channels to drop\) must be an integer in \[0, 24\], got 25/);
    expect(() => dgcTrain(a, p, { ...o, impl: 'x' as 'kernel' })).toThrow(/impl must be one of 'auto', 'kernel', 'masked'/);
    expect(() => dgcTrain(a, { ...p, w: tf.zeros([1, 1, 24, 6]) as tf.Tensor4D }, o)).toThrow(/heads \(4\) must divide the output channels of w \(6\)/);
  });
});

describe('dgcStackHeads', () => {
  it('the native kernel equals the stock-op stacking, values and the gradients of every head', async () => {
    await useBackend('wasm');
    const rng = new Rng(3);
    const t = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => rng.normal(0, 1)), shape);
    for (const [h, C, d, k, cph] of [[4, 12, 3, 3, 5], [1, 8, 2, 1, 4], [2, 6, 1, 5, 3]] as const) {
      const heads = Array.from({ length: h }, () => ({ fc1: t([C, d]), fc2: t([d, C]), bias: t([C]), conv: t([k, k, C, cph]) }));
      const flat = heads.flatMap((v) => [v.fc1, v.fc2, v.bias, v.conv]);
      const ups = [t([h, d, C]), t([h, d, C]), t([h, C]), t([k, k, C, cph * h])];
      const run = async (f: typeof dgcStackHeads) => {
        const s = f(heads);
        const grads = tf.grads((...xs: tf.Tensor[]) => {
          const p = f(Array.from({ length: h }, (_, i) => ({ fc1: xs[4 * i]!, fc2: xs[4 * i + 1]!, bias: xs[4 * i + 2]!, conv: xs[4 * i + 3]! })));
          return tf.addN([p.w1, p.w2, p.b2, p.w].map((q, i) => tf.sum(tf.mul(q, ups[i]!))));
        })(flat);
        return readAndDispose([s.w1, s.w2, s.b2, s.w, ...grads]);
      };
      expect(hasDgcStackHeadsKernel()).toBe(nativeStatus().active);
      const got = await run(dgcStackHeads);
      const want = await run(dgcStackHeadsComposite);
      got.forEach((g, i) => expect(Array.from(g), `h ${h} output ${i}`).toEqual(Array.from(want[i]!)));
      tf.dispose([...flat, ...ups]);
    }
  });
});
