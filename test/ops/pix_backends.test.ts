// Every PiX implementation agrees with the cpu reference kernel: the wasm and webgpu kernels and the stock-op
// composite (on cpu, wasm and webgpu), on random shapes, for every reduction, forward and backward.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { releaseBackends, useBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/core/rng.js';
import { hasPixKernel, pix, PIX_REDUCTIONS, type PixOptions } from '../../src/ops/pix/index.js';

interface Case {
  shape: [number, number, number, number];
  zeta: number;
  ties: boolean;
  avgDivisor: 'zeta' | 'groupSize';
}

const CASES: Case[] = [
  { shape: [2, 3, 5, 10], zeta: 4, ties: false, avgDivisor: 'zeta' },      // clamped last group
  { shape: [3, 2, 3, 12], zeta: 3, ties: true, avgDivisor: 'zeta' },       // many ties (first max/min wins)
  { shape: [1, 4, 4, 7], zeta: 2, ties: false, avgDivisor: 'groupSize' },  // clamped, true mean
  { shape: [2, 2, 3, 5], zeta: 1, ties: false, avgDivisor: 'zeta' },       // channel gating
  { shape: [2, 5, 4, 37], zeta: 8, ties: true, avgDivisor: 'zeta' },       // G = 5, more than one dp tile lane
];

interface Data { x: Float32Array; p: Float32Array; dy: Float32Array; pShape: number[] }

function makeData(c: Case, seed: number): Data {
  const rng = new Rng(seed);
  const [N, H, W, C] = c.shape;
  const G = Math.ceil(C / c.zeta);
  const x = new Float32Array(N * H * W * C);
  for (let i = 0; i < x.length; i++) x[i] = c.ties ? rng.randint(3) - 1 : rng.normal(0, 1);
  const p = new Float32Array(N * G);
  for (let i = 0; i < p.length; i++) p[i] = i % 7 === 3 ? 0.5 : rng.uniform(0.01, 0.99); // some p exactly tau
  const dy = new Float32Array(N * H * W * G);
  for (let i = 0; i < dy.length; i++) dy[i] = rng.normal(0, 1);
  return { x, p, dy, pShape: seed % 2 === 0 ? [N, G] : [N, 1, 1, G] };
}

type Result = { y: Float32Array; dx: Float32Array; dp: Float32Array };

async function compute(c: Case, d: Data, opts: PixOptions): Promise<Result> {
  const [N, H, W] = c.shape;
  const G = Math.ceil(c.shape[3] / c.zeta);
  const x = tf.tensor4d(d.x, c.shape);
  const p = tf.tensor(d.p, d.pShape);
  const dy = tf.tensor4d(d.dy, [N, H, W, G]);
  const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => pix(a as tf.Tensor4D, b, opts))([x, p], dy);
  expect(grads[1].shape).toEqual(d.pShape);
  const out = {
    y: (await value.data()) as Float32Array,
    dx: (await grads[0].data()) as Float32Array,
    dp: (await grads[1].data()) as Float32Array,
  };
  tf.dispose([x, p, dy, value, ...grads]);
  return out;
}

function agree(what: string, got: Float32Array, want: Float32Array, rtol: number, atol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]))) {
      throw new Error(`${what}[${i}]: got ${got[i]}, reference ${want[i]}`);
    }
  }
}

/** Reference results on the cpu kernel for every case x reduction. */
const reference = new Map<string, Result>();
const key = (ci: number, reduce: string) => `${ci}/${reduce}`;

async function references(): Promise<void> {
  if (reference.size > 0) return;
  await useBackend('cpu');
  for (const [ci, c] of CASES.entries()) {
    for (const reduce of PIX_REDUCTIONS) {
      const d = makeData(c, 100 + ci);
      reference.set(key(ci, reduce), await compute(c, d, { zeta: c.zeta, reduce, avgDivisor: c.avgDivisor, impl: 'kernel' }));
    }
  }
}

async function checkAll(backend: string, impl: 'kernel' | 'composite'): Promise<void> {
  await references();
  await useBackend(backend);
  expect(tf.getBackend()).toBe(backend);
  for (const [ci, c] of CASES.entries()) {
    for (const reduce of PIX_REDUCTIONS) {
      const d = makeData(c, 100 + ci);
      const r = await compute(c, d, { zeta: c.zeta, reduce, avgDivisor: c.avgDivisor, impl });
      const ref = reference.get(key(ci, reduce))!;
      const tag = `${backend}/${impl} case ${ci} ${reduce}`;
      agree(`${tag} y`, r.y, ref.y, 1e-5, 1e-6);
      agree(`${tag} dx`, r.dx, ref.dx, 1e-5, 1e-6);
      agree(`${tag} dp`, r.dp, ref.dp, 1e-4, 1e-5);
    }
  }
}

afterAll(() => {
  releaseBackends();
});

describe('pix implementations agree with the cpu reference', () => {
  it('the custom kernels are registered for cpu, wasm and webgpu', async () => {
    await useBackend('webgpu');
    for (const b of ['cpu', 'wasm', 'webgpu']) expect(hasPixKernel(b)).toBe(true);
  });
  it('wasm kernel', () => checkAll('wasm', 'kernel'));
  it('webgpu kernel (WGSL)', () => checkAll('webgpu', 'kernel'));
  it('composite on cpu', () => checkAll('cpu', 'composite'));
  it('composite on wasm', () => checkAll('wasm', 'composite'));
  it('composite on webgpu', () => checkAll('webgpu', 'composite'));

  it('the cpu reference itself matches spec vector V1 (dx to the first max only)', async () => {
    await useBackend('cpu');
    const r = await compute({ shape: [1, 1, 2, 6], zeta: 4, ties: true, avgDivisor: 'zeta' }, {
      x: new Float32Array([1, 3, 2, 3, 4, -1, -2, -2, 5, 0, 1, 1]),
      p: new Float32Array([0.25, 0.75]), dy: new Float32Array([1, 3, 2, 4]), pShape: [1, 2],
    }, { zeta: 4 });
    agree('V1 y', r.y, new Float32Array([0.75, 0.5625, 1.25, 0.375]), 0, 1e-7);
    agree('V1 dx', r.dx, new Float32Array([0, 0.25, 0, 0, 0.5625, 0.5625, 0, 0, 0.5, 0, 0.75, 0.75]), 0, 1e-7);
    agree('V1 dp', r.dp, new Float32Array([13, 4.25]), 0, 1e-6);
  });

});
