// PiX operator on the cpu reference kernel and the composite: spec pix.md §10 vectors by hand, variants, N > 1,
// central finite differences for x and p, and input validation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { useBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/core/rng.js';
import { ChanlabPix, ChanlabPixGrad, hasPixKernel, pix, type PixOptions } from '../../src/ops/pix/index.js';

/** NCHW nested values [c][h*W+w] -> flat NHWC for N=1, H=1. */
function nhwcFromChannels(ch: number[][]): number[] {
  const out: number[] = [];
  for (let w = 0; w < ch[0].length; w++) for (let c = 0; c < ch.length; c++) out.push(ch[c][w]);
  return out;
}

// V1/V2/V3 input: x NCHW [1,6,1,2] -> NHWC [1,1,2,6]
const V_X = [[1, -2], [3, -2], [2, 5], [3, 0], [4, 1], [-1, 1]];

function close(actual: ArrayLike<number>, expected: number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (Math.abs(actual[i] - e) > tol * Math.max(1, Math.abs(e))) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${e} (all: [${Array.from(actual).join(', ')}])`);
    }
  }
}

/** y, dx, dp of sum(dy * pix(x, p)). */
function run(x: tf.Tensor4D, p: tf.Tensor, dy: tf.Tensor, opts: PixOptions) {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => pix(a as tf.Tensor4D, b, opts))([x, p], dy as tf.Tensor4D);
    return { y: value.dataSync(), dx: grads[0].dataSync(), dp: grads[1].dataSync(), dpShape: grads[1].shape };
  });
}

const IMPLS = ['kernel', 'composite'] as const;

beforeAll(async () => {
  await useBackend('cpu');
});
afterAll(() => {
  tf.disposeVariables();
});

describe('pix spec vectors (cpu kernel and composite)', () => {
  const x = () => tf.tensor4d(nhwcFromChannels(V_X), [1, 1, 2, 6]);
  // y NHWC [1,1,2,2] flat = [w0g0, w0g1, w1g0, w1g1]; upstream gradient [[1,2],[3,4]] per (g, w)
  const dy = () => tf.tensor4d([1, 3, 2, 4], [1, 1, 2, 2]);

  for (const impl of IMPLS) {
    it(`V1 clamped group, tie, both branches (${impl})`, () => {
      const r = run(x(), tf.tensor2d([[0.25, 0.75]]), dy(), { zeta: 4, tau: 0.5, impl });
      close(r.y, [0.75, 0.5625, 1.25, 0.375]);
      // dx NHWC: pixel w0 channels c0..c5, then w1
      close(r.dx, [0, 0.25, 0, 0, 0.5625, 0.5625, 0, 0, 0.5, 0, 0.75, 0.75]);
      close(r.dp, [13, 4.25]);
    });

    it(`V2 p == tau takes the avg branch (${impl})`, () => {
      const r = run(x(), tf.tensor2d([[0.5, 0.5]]), dy(), { zeta: 4, tau: 0.5, impl });
      // y[g][w] = [[1.125, 0.125], [0.375, 0.25]]
      close(r.y, [1.125, 0.375, 0.125, 0.25]);
    });

    it(`V3 zeta = 1 is channel gating for any tau (${impl})`, () => {
      const p = Array.from(tf.linspace(0.1, 0.9, 6).dataSync());
      const expected = nhwcFromChannels(V_X.map((row, c) => row.map((v) => Math.fround(p[c] * v))));
      for (const tau of [0, 0.5, 1]) {
        const r = run(x(), tf.tensor2d([p]), tf.ones([1, 1, 2, 6]), { zeta: 1, tau, impl });
        close(r.y, expected);
        close(r.dx, nhwcFromChannels(V_X.map((row, c) => row.map(() => p[c]))));
      }
      const r = run(x(), tf.tensor2d([p]), tf.ones([1, 1, 2, 6]), { zeta: 1, impl });
      close([r.y[1], r.y[7]], [0.78, -0.52]); // channel 1: 0.26 * [3, -2]
    });

    it(`V4 ones input: every output equals p, shape [1,4,4,6] (${impl})`, () => {
      const p = [[0.1, 0.3, 0.5, 0.7, 0.9, 0.45]];
      const y = tf.tidy(() => pix(tf.ones([1, 4, 4, 24]) as tf.Tensor4D, tf.tensor2d(p), { zeta: 4, impl }));
      expect(y.shape).toEqual([1, 4, 4, 6]);
      const v = y.dataSync();
      for (let i = 0; i < v.length; i++) expect(v[i]).toBeCloseTo(p[0][i % 6], 6);
      y.dispose();
    });

    it(`N > 1 and p as [N,1,1,G]: per-sample branches (${impl})`, () => {
      const one = nhwcFromChannels(V_X);
      const xs = tf.tensor4d([...one, ...one.map((v) => -v)], [2, 1, 2, 6]);
      const p = tf.tensor4d([0.25, 0.75, 0.75, 0.25], [2, 1, 1, 2]);
      const r = run(xs, p, tf.tensor4d([1, 3, 2, 4, 1, 3, 2, 4], [2, 1, 2, 2]), { zeta: 4, impl });
      expect(r.dpShape).toEqual([2, 1, 1, 2]);
      // sample 1, x negated: group 0 avg (p=.75): sums -9, -1 -> .75*-9/4, .75*-1/4; group 1 max (p=.25) of
      // [-4, 1] -> 1, [-1, -1] -> -1 (tie: first channel c4 wins)
      close(r.y, [0.75, 0.5625, 1.25, 0.375, -1.6875, 0.25, -0.1875, -0.25]);
      close(r.dx.slice(12), [0.1875, 0.1875, 0.1875, 0.1875, 0, 0.75, 0.375, 0.375, 0.375, 0.375, 1, 0]);
      close(r.dp, [13, 4.25, 1 * (-9 / 4) + 2 * (-1 / 4), 3 * 1 + 4 * -1]);
    });

    it(`reductions max / avg / min / w-pix and avgDivisor groupSize on V1 (${impl})`, () => {
      const p = () => tf.tensor2d([[0.25, 0.75]]);
      // group sums: g0 [9, 1], g1 [3, 2]; max g0 [3, 5], g1 [4, 1]; min g0 [1, -2], g1 [-1, 1]
      close(run(x(), p(), dy(), { zeta: 4, reduce: 'max', impl }).y, [0.75, 3, 1.25, 0.75]);
      close(run(x(), p(), dy(), { zeta: 4, reduce: 'avg', impl }).y, [0.5625, 0.5625, 0.0625, 0.375]);
      const mn = run(x(), p(), dy(), { zeta: 4, reduce: 'min', impl });
      close(mn.y, [0.25, -0.75, -0.5, 0.75]);
      // min ties: w0 g... ; w1 g0 min -2 at c0 and c1 -> c0 gets it; w1 g1 min 1 at c4 and c5 -> c4
      close(mn.dx, [0.25, 0, 0, 0, 0, 2.25, 0.5, 0, 0, 0, 3, 0]);
      close(mn.dp, [1 * 1 + 2 * -2, 3 * -1 + 4 * 1]);
      const w = run(x(), p(), dy(), { zeta: 4, reduce: 'w-pix', impl });
      // g0: .25*max + .75*sum/4 ; g1: .75*max + .25*sum/4
      close(w.y, [0.25 * 3 + 0.75 * 9 / 4, 0.75 * 4 + 0.25 * 3 / 4, 0.25 * 5 + 0.75 / 4, 0.75 * 1 + 0.25 * 2 / 4]);
      close(w.dp, [1 * (3 - 9 / 4) + 2 * (5 - 1 / 4), 3 * (4 - 3 / 4) + 4 * (1 - 2 / 4)]);
      // dx w0: g0 share .75*1/4 = .1875 everywhere, +.25 at c1 (first max); g1 share .25*3/4, +.75*3 at c4
      close(w.dx.slice(0, 6), [0.1875, 0.4375, 0.1875, 0.1875, 0.1875 + 2.25, 0.1875]);
      const gs = run(x(), p(), dy(), { zeta: 4, avgDivisor: 'groupSize', impl });
      close(gs.y, [0.75, 1.125, 1.25, 0.75]); // divisor 2 for the 2-channel last group
      close(gs.dx.slice(4, 6), [1.125, 1.125]);
      close(gs.dp, [13, 3 * 1.5 + 4 * 1]);
    });
  }
});

describe('pix gradients vs central finite differences (cpu kernel)', () => {
  function fdCase(reduce: PixOptions['reduce'], seed: number): void {
    const rng = new Rng(seed);
    const [N, H, W, C, zeta] = [2, 3, 3, 10, 4];
    const G = Math.ceil(C / zeta);
    // distinct values 0.1 apart within each group (no ties), so a step of h = 0.01 never crosses a kink
    const xv = new Float32Array(N * H * W * C);
    for (let row = 0; row < N * H * W; row++) {
      for (let g = 0; g < G; g++) {
        const perm = rng.permutation(zeta);
        const base = rng.uniform(-1, 1);
        for (let j = 0; j < zeta && g * zeta + j < C; j++) xv[row * C + g * zeta + j] = base + perm[j] * 0.1;
      }
    }
    const pv = Array.from({ length: N * G }, () => {
      const u = rng.uniform(0.05, 0.95);
      return Math.abs(u - 0.5) < 0.05 ? u + 0.1 : u; // keep p away from tau
    });
    const dyv = Array.from({ length: N * H * W * G }, () => rng.uniform(-1, 1));
    const opts: PixOptions = { zeta, reduce };
    const x = tf.tensor4d(xv, [N, H, W, C]);
    const p = tf.tensor2d(pv, [N, G]);
    const dy = tf.tensor4d(dyv, [N, H, W, G]);
    const r = run(x, p, dy, opts);
    const loss = (xa: Float32Array, pa: number[]) => tf.tidy(() => {
      const y = pix(tf.tensor4d(xa, [N, H, W, C]), tf.tensor2d(pa, [N, G]), opts).dataSync();
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i] * dyv[i];
      return s;
    });
    const h = 0.01;
    for (let i = 0; i < xv.length; i++) {
      const a = xv.slice(); a[i] += h;
      const b = xv.slice(); b[i] -= h;
      const num = (loss(a, pv) - loss(b, pv)) / (2 * h);
      if (Math.abs(num - r.dx[i]) > 2e-3) throw new Error(`${reduce} dx[${i}]: fd ${num} vs ${r.dx[i]}`);
    }
    for (let i = 0; i < pv.length; i++) {
      const a = pv.slice(); a[i] += h;
      const b = pv.slice(); b[i] -= h;
      const num = (loss(xv, a) - loss(xv, b)) / (2 * h);
      if (Math.abs(num - r.dp[i]) > 2e-3 * Math.max(1, Math.abs(num))) {
        throw new Error(`${reduce} dp[${i}]: fd ${num} vs ${r.dp[i]}`);
      }
    }
    tf.dispose([x, p, dy]);
  }
  for (const [i, reduce] of (['pick-or-mix', 'max', 'avg', 'min', 'w-pix'] as const).entries()) {
    it(`${reduce}: dx and dp (C=10, zeta=4, clamped last group)`, () => fdCase(reduce, 11 + i));
  }
});

describe('pix input validation', () => {
  const x = () => tf.zeros([2, 3, 3, 10]) as tf.Tensor4D;
  const p = () => tf.fill([2, 3], 0.3);
  const bad = (f: () => unknown, re: RegExp) => expect(() => tf.tidy(() => { f(); })).toThrow(re);

  it('zeta must be a positive integer', () => {
    bad(() => pix(x(), p(), { zeta: 0 }), /zeta must be a positive integer.*got 0/);
    bad(() => pix(x(), p(), { zeta: 2.5 }), /zeta must be a positive integer.*got 2.5/);
  });
  it('tau must be finite in [0, 1]', () => {
    bad(() => pix(x(), p(), { zeta: 4, tau: 1.5 }), /tau must be a finite number in \[0, 1\], got 1.5/);
    bad(() => pix(x(), p(), { zeta: 4, tau: NaN }), /tau must be a finite number/);
  });
  it('reduce and avgDivisor must be known names', () => {
    bad(() => pix(x(), p(), { zeta: 4, reduce: 'mean' as never }), /reduce must be one of 'pick-or-mix'.*got mean/);
    bad(() => pix(x(), p(), { zeta: 4, avgDivisor: 'r' as never }), /avgDivisor must be 'zeta' or 'groupSize'/);
  });
  it('x must be rank-4 float32', () => {
    bad(() => pix(tf.zeros([3, 3, 10]) as never, p(), { zeta: 4 }), /x must be rank 4 NHWC \[N,H,W,C\]/);
    bad(() => pix(tf.zeros([2, 3, 3, 10], 'int32') as tf.Tensor4D, p(), { zeta: 4 }), /x must be float32, got int32/);
  });
  it('p must be [N,G] or [N,1,1,G] with G = ceil(C/zeta), float32', () => {
    bad(() => pix(x(), tf.fill([2, 2], 0.3), { zeta: 4 }), /p must have shape \[2,3\] or \[2,1,1,3\].*ceil\(10\/4\).*got \[2,2\]/);
    bad(() => pix(x(), tf.fill([2, 3, 1, 1], 0.3), { zeta: 4 }), /p must have shape \[2,3\] or \[2,1,1,3\]/);
    bad(() => pix(x(), tf.fill([2, 3], 1, 'int32'), { zeta: 4 }), /p must be float32/);
  });
  it('NaN in p is rejected (kernel and composite), and allowed with checkNaN: false', () => {
    const pn = () => tf.tensor2d([[0.3, NaN, 0.6], [0.1, 0.2, 0.3]]);
    bad(() => pix(x(), pn(), { zeta: 4 }), /p must not contain NaN.*p\[0, 1\] is NaN/);
    bad(() => pix(x(), pn(), { zeta: 4, impl: 'composite' }), /p must not contain NaN/);
    const y = tf.tidy(() => pix(tf.ones([2, 3, 3, 10]) as tf.Tensor4D, pn(), { zeta: 4, checkNaN: false }).dataSync());
    expect(Number.isNaN(y[1])).toBe(true); // NaN p takes the avg branch: NaN * sum / zeta
  });
});

describe('pix on a backend without the custom kernels (like tfjs-node)', () => {
  it("falls back to the composite with its custom gradient; impl 'kernel' is a clear error", async () => {
    // a cpu backend under another name, with tfjs's cpu kernels but not chanlab's PiX kernels
    tf.registerBackend('pixless', () => new MathBackendCPU());
    for (const k of tf.getKernelsForBackend('cpu')) {
      if (k.kernelName !== ChanlabPix && k.kernelName !== ChanlabPixGrad) {
        tf.registerKernel({ ...k, backendName: 'pixless' });
      }
    }
    await tf.setBackend('pixless');
    try {
      expect(hasPixKernel()).toBe(false);
      const x = tf.tensor4d(nhwcFromChannels(V_X), [1, 1, 2, 6]);
      const r = run(x, tf.tensor2d([[0.25, 0.75]]), tf.tensor4d([1, 3, 2, 4], [1, 1, 2, 2]), { zeta: 4 });
      close(r.y, [0.75, 0.5625, 1.25, 0.375]);
      close(r.dx, [0, 0.25, 0, 0, 0.5625, 0.5625, 0, 0, 0.5, 0, 0.75, 0.75]);
      close(r.dp, [13, 4.25]);
      expect(() => pix(x, tf.tensor2d([[0.25, 0.75]]), { zeta: 4, impl: 'kernel' }))
        .toThrow(/no ChanlabPix kernel is registered for backend 'pixless'/);
      // checkNaN is off by default off cpu/wasm (it costs a read of p); on request the op reads p itself
      const pn = tf.tensor2d([[NaN, 0.75]]);
      expect(() => tf.tidy(() => pix(x, pn, { zeta: 4 }))).not.toThrow();
      expect(() => pix(x, pn, { zeta: 4, checkNaN: true })).toThrow(/p must not contain NaN/);
    } finally {
      await useBackend('cpu');
      tf.removeBackend('pixless');
    }
  });
});
