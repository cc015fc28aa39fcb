// The PiX kernels on the wasm backend agree with the cpu reference kernel on shapes that exercise the native
// addon's AVX-512 row kernels (16-lane vectors of whole groups for zeta 1, 2, 4, 8, 16, then a scalar tail with a
// clamped last group; dx stored directly or through non-temporal stores) and its scalar loops (zeta 3, 5; and every shape with the vector path switched off).
// Without the addon (CHANLAB_NATIVE=0) the same comparisons run on the pure wasm kernels.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseBackends, useBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/core/rng.js';
import { nativeAddon } from '../../src/kernels/native/addon.js';
import { nativeKernelsEnabled } from '../../src/kernels/native/index.js';
import { pix, PIX_REDUCTIONS, type PixReduce } from '../../src/ops/pix/index.js';

type Shape4 = [number, number, number, number];
interface Case { x: Shape4; zeta: number; ties: boolean; avgDivisor: 'zeta' | 'groupSize' }

const CASES: Case[] = [
  { x: [2, 3, 5, 512], zeta: 4, ties: false, avgDivisor: 'zeta' },
  { x: [2, 3, 3, 64], zeta: 2, ties: true, avgDivisor: 'zeta' },        // whole rows in vectors (streamed dx)
  { x: [2, 3, 3, 36], zeta: 4, ties: true, avgDivisor: 'zeta' },        // 2 vectors + 1 scalar group
  { x: [3, 2, 3, 30], zeta: 4, ties: false, avgDivisor: 'groupSize' },  // clamped last group in the tail
  { x: [2, 4, 3, 34], zeta: 2, ties: true, avgDivisor: 'zeta' },
  { x: [1, 5, 5, 72], zeta: 8, ties: true, avgDivisor: 'zeta' },
  { x: [2, 3, 4, 19], zeta: 1, ties: false, avgDivisor: 'zeta' },
  { x: [2, 2, 3, 40], zeta: 16, ties: true, avgDivisor: 'groupSize' },  // 2 vectors + a clamped group of 8
  { x: [2, 3, 3, 50], zeta: 3, ties: true, avgDivisor: 'zeta' },        // scalar only
  { x: [1, 17, 1, 45], zeta: 5, ties: false, avgDivisor: 'zeta' },      // scalar only, more pixels than dp blocks
];

interface Result { y: Float32Array; dx: Float32Array; dp: Float32Array }

function data(c: Case, seed: number) {
  const rng = new Rng(seed);
  const [N, H, W, C] = c.x;
  const G = Math.ceil(C / c.zeta);
  const x = new Float32Array(N * H * W * C);
  for (let i = 0; i < x.length; i++) x[i] = c.ties ? rng.randint(3) - 1 : rng.normal(0, 1);
  const p = new Float32Array(N * G);
  for (let i = 0; i < p.length; i++) p[i] = i % 5 === 2 ? 0.5 : rng.uniform(0.01, 0.99);
  const dy = new Float32Array(N * H * W * G);
  for (let i = 0; i < dy.length; i++) dy[i] = rng.normal(0, 1);
  return { x, p, dy, G };
}

async function run(c: Case, reduce: PixReduce, seed: number): Promise<Result> {
  const d = data(c, seed);
  const [N, H, W] = c.x;
  const x = tf.tensor4d(d.x, c.x);
  const p = tf.tensor2d(d.p, [N, d.G]);
  const dy = tf.tensor4d(d.dy, [N, H, W, d.G]);
  const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
    pix(a as tf.Tensor4D, b, { zeta: c.zeta, reduce, avgDivisor: c.avgDivisor, impl: 'kernel' }))([x, p], dy);
  const r = { y: (await value.data()) as Float32Array, dx: (await grads[0].data()) as Float32Array,
    dp: (await grads[1].data()) as Float32Array };
  tf.dispose([x, p, dy, value, ...grads]);
  return r;
}

function agree(what: string, got: Float32Array, want: Float32Array, rtol: number, atol: number): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= atol + rtol * Math.abs(want[i]!))) {
      throw new Error(`${what}[${i}]: got ${got[i]}, reference ${want[i]}`);
    }
  }
}

const label = (c: Case) => `x=${c.x} zeta=${c.zeta}${c.ties ? ' ties' : ''} ${c.avgDivisor}`;
const reference = new Map<string, Result>();

beforeAll(async () => {
  await useBackend('cpu');
  for (const [i, c] of CASES.entries()) {
    for (const r of PIX_REDUCTIONS) reference.set(`${i}/${r}`, await run(c, r, 40 + i));
  }
  await useBackend('wasm');
});

afterAll(() => {
  nativeAddon()?.setPixSimd(true);
  releaseBackends();
});

/** The wasm-backend paths to check: the native kernels with and without their vector rows, or pure wasm. */
function paths(): Array<{ name: string; simd: boolean; stream: boolean }> {
  if (!nativeKernelsEnabled()) return [{ name: 'pure wasm', simd: false, stream: false }];
  return [{ name: 'native vector rows', simd: true, stream: false },
    { name: 'native vector rows, streamed dx', simd: true, stream: true },
    { name: 'native scalar', simd: false, stream: false }];
}

describe('PiX kernels on the wasm backend vs the cpu reference', () => {
  it('uses the native kernels exactly when the addon is loaded', () => {
    expect(nativeKernelsEnabled()).toBe(nativeAddon() !== undefined);
  });
  for (const [i, c] of CASES.entries()) {
    it(label(c), async () => {
      for (const path of paths()) {
        nativeAddon()?.setPixSimd(path.simd, path.stream);
        for (const r of PIX_REDUCTIONS) {
          const got = await run(c, r, 40 + i);
          const want = reference.get(`${i}/${r}`)!;
          const tag = `${path.name} ${r}`;
          agree(`${tag} y`, got.y, want.y, 1e-5, 1e-6);
          agree(`${tag} dx`, got.dx, want.dx, 1e-5, 1e-6);
          agree(`${tag} dp`, got.dp, want.dp, 1e-4, 1e-5);
        }
      }
    });
  }
});
