// Every PiX implementation agrees with the cpu reference kernel: the wasm and webgpu kernels and the stock-op
// composite (on cpu, wasm and webgpu), on random shapes, for every reduction, forward and backward.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { releaseBackends, useBackend } from '../../src/backend/index.js';
import { hasPixKernel, PIX_REDUCTIONS } from '../../src/ops/pix/index.js';
import { agreeElementwise, expectPixAgree, type PixCase, pixData, pixGrads, type PixResult } from '../helpers/pix_parity.js';

const CASES: PixCase[] = [
  { shape: [2, 3, 5, 10], zeta: 4, ties: false, avgDivisor: 'zeta' },      // clamped last group
  { shape: [3, 2, 3, 12], zeta: 3, ties: true, avgDivisor: 'zeta' },       // many ties (first max/min wins)
  { shape: [1, 4, 4, 7], zeta: 2, ties: false, avgDivisor: 'groupSize' },  // clamped, true mean
  { shape: [2, 2, 3, 5], zeta: 1, ties: false, avgDivisor: 'zeta' },       // channel gating
  { shape: [2, 5, 4, 37], zeta: 8, ties: true, avgDivisor: 'zeta' },       // G = 5, more than one dp tile lane
];

const makeData = (c: PixCase, seed: number) => pixData(c, seed, 7, 3, seed % 2 === 1); // some p exactly tau

/** Reference results on the cpu kernel for every case x reduction. */
const reference = new Map<string, PixResult>();
const key = (ci: number, reduce: string) => `${ci}/${reduce}`;

async function references(): Promise<void> {
  if (reference.size > 0) return;
  await useBackend('cpu');
  for (const [ci, c] of CASES.entries()) {
    for (const reduce of PIX_REDUCTIONS) {
      const d = makeData(c, 100 + ci);
      reference.set(key(ci, reduce), await pixGrads(c, d, { zeta: c.zeta, reduce, avgDivisor: c.avgDivisor, impl: 'kernel' }));
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
      const r = await pixGrads(c, d, { zeta: c.zeta, reduce, avgDivisor: c.avgDivisor, impl });
      const ref = reference.get(key(ci, reduce))!;
      const tag = `${backend}/${impl} case ${ci} ${reduce}`;
      expectPixAgree(tag, r, ref);
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
    const r = await pixGrads({ shape: [1, 1, 2, 6], zeta: 4, ties: true, avgDivisor: 'zeta' }, {
      x: new Float32Array([1, 3, 2, 3, 4, -1, -2, -2, 5, 0, 1, 1]),
      p: new Float32Array([0.25, 0.75]), dy: new Float32Array([1, 3, 2, 4]), pShape: [1, 2],
    }, { zeta: 4 });
    agreeElementwise('V1 y', r.y, new Float32Array([0.75, 0.5625, 1.25, 0.375]), 0, 1e-7);
    agreeElementwise('V1 dx', r.dx, new Float32Array([0, 0.25, 0, 0, 0.5625, 0.5625, 0, 0, 0.5, 0, 0.75, 0.75]), 0, 1e-7);
    agreeElementwise('V1 dp', r.dp, new Float32Array([13, 4.25]), 0, 1e-6);
  });

});
