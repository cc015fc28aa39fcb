// The PiX parity tests (every implementation against the cpu reference kernel): a case, its seeded inputs, y/dx/dp of
// one pix call with upstream dy, and the element-wise agreement they all require.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { pix, type PixOptions } from '../../src/ops/pix/index.js';

/** x [N,H,W,C] split into groups of zeta channels; ties: x in {-1, 0, 1} (first max/min wins). */
export interface PixCase { shape: [number, number, number, number]; zeta: number; ties: boolean; avgDivisor: 'zeta' | 'groupSize' }
export interface PixData { x: Float32Array; p: Float32Array; dy: Float32Array; pShape: number[] }
export interface PixResult { y: Float32Array; dx: Float32Array; dp: Float32Array }

/** x, gate p [N,G] (or [N,1,1,G] with `rank4p`) in (0.01, 0.99) but exactly the threshold 0.5 at every
 *  `tauEvery`-th value from `tauAt`, and dy [N,H,W,G], from one generator seeded `seed`. */
export function pixData(c: PixCase, seed: number, tauEvery: number, tauAt: number, rank4p = false): PixData {
  const rng = new Rng(seed);
  const [N, H, W, C] = c.shape;
  const G = Math.ceil(C / c.zeta);
  const x = new Float32Array(N * H * W * C);
  for (let i = 0; i < x.length; i++) x[i] = c.ties ? rng.randint(3) - 1 : rng.normal(0, 1);
  const p = new Float32Array(N * G);
  for (let i = 0; i < p.length; i++) p[i] = i % tauEvery === tauAt ? 0.5 : rng.uniform(0.01, 0.99);
  const dy = new Float32Array(N * H * W * G);
  for (let i = 0; i < dy.length; i++) dy[i] = rng.normal(0, 1);
  return { x, p, dy, pShape: rank4p ? [N, 1, 1, G] : [N, G] };
}

/** y = pix(x, p) and the gradients of sum(y ⊙ dy) w.r.t. x and p (dp in p's shape), on the active backend. */
export async function pixGrads(c: PixCase, d: PixData, opts: PixOptions): Promise<PixResult> {
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

/** Throws naming the first element where |got − want| > atol + rtol·|want| (element-wise relative). */
export function agreeElementwise(what: string, got: Float32Array, want: Float32Array, rtol: number, atol: number): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= atol + rtol * Math.abs(want[i]!))) {
      throw new Error(`${what}[${i}]: got ${got[i]}, reference ${want[i]}`);
    }
  }
}

/** y and dx within 1e-5 (+1e-6), dp within 1e-4 (+1e-5) of the reference. */
export function expectPixAgree(tag: string, got: PixResult, want: PixResult): void {
  agreeElementwise(`${tag} y`, got.y, want.y, 1e-5, 1e-6);
  agreeElementwise(`${tag} dx`, got.dx, want.dx, 1e-5, 1e-6);
  agreeElementwise(`${tag} dp`, got.dp, want.dp, 1e-4, 1e-5);
}
