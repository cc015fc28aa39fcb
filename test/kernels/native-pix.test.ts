// The PiX kernels on the wasm backend agree with the cpu reference kernel on shapes that exercise the native
// addon's AVX-512 row kernels (16-lane vectors of whole groups for zeta 1, 2, 4, 8, 16, then a scalar tail with a
// clamped last group; dx stored directly or through non-temporal stores) and its scalar loops (zeta 3, 5; and every shape with the vector path switched off).
// Without the addon (CHANLAB_NATIVE=0) the same comparisons run on the pure wasm kernels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseBackends, useBackend } from '../../src/backend/index.js';
import { nativeAddon } from '../../src/kernels/native/addon.js';
import { nativeKernelsEnabled } from '../../src/kernels/native/index.js';
import { PIX_REDUCTIONS, type PixReduce } from '../../src/ops/pix/index.js';
import { expectPixAgree, type PixCase, pixData, pixGrads, type PixResult } from '../helpers/pix_parity.js';

const CASES: PixCase[] = [
  { shape: [2, 3, 5, 512], zeta: 4, ties: false, avgDivisor: 'zeta' },
  { shape: [2, 3, 3, 64], zeta: 2, ties: true, avgDivisor: 'zeta' },        // whole rows in vectors (streamed dx)
  { shape: [2, 3, 3, 36], zeta: 4, ties: true, avgDivisor: 'zeta' },        // 2 vectors + 1 scalar group
  { shape: [3, 2, 3, 30], zeta: 4, ties: false, avgDivisor: 'groupSize' },  // clamped last group in the tail
  { shape: [2, 4, 3, 34], zeta: 2, ties: true, avgDivisor: 'zeta' },
  { shape: [1, 5, 5, 72], zeta: 8, ties: true, avgDivisor: 'zeta' },
  { shape: [2, 3, 4, 19], zeta: 1, ties: false, avgDivisor: 'zeta' },
  { shape: [2, 2, 3, 40], zeta: 16, ties: true, avgDivisor: 'groupSize' },  // 2 vectors + a clamped group of 8
  { shape: [2, 3, 3, 50], zeta: 3, ties: true, avgDivisor: 'zeta' },        // scalar only
  { shape: [1, 17, 1, 45], zeta: 5, ties: false, avgDivisor: 'zeta' },      // scalar only, more pixels than dp blocks
];

const run = async (c: PixCase, reduce: PixReduce, seed: number) =>
  pixGrads(c, pixData(c, seed, 5, 2), { zeta: c.zeta, reduce, avgDivisor: c.avgDivisor, impl: 'kernel' });

const label = (c: PixCase) => `x=${c.shape} zeta=${c.zeta}${c.ties ? ' ties' : ''} ${c.avgDivisor}`;
const reference = new Map<string, PixResult>();

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
          expectPixAgree(`${path.name} ${r}`, got, want);
        }
      }
    });
  }
});
