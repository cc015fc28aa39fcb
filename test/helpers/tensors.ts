import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src/core/rng.js';

/** Standard normal values of `shape` (flat), from a seeded generator. */
export function randArray(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Rng(seed).fillNormal(new Float32Array(n), 0, 1);
}

export function randn(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randArray(shape, seed), shape);
}

/** max |a - b| / max(floor, max |b|): relative to the largest reference magnitude; floor 1 makes it an absolute
 *  error where the reference is small. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** Throws naming the first element where |got − want| > rtol·max|want| + atol (a tolerance scaled to the output). */
export function expectAgree(what: string, got: ArrayLike<number>, want: ArrayLike<number>, rtol = 1e-5, atol = 0): void {
  if (got.length !== want.length) throw new Error(`${what}: length ${got.length}, expected ${want.length}`);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= rtol * scale + atol)) throw new Error(`${what}[${i}]: got ${got[i]}, expected ${want[i]}`);
  }
}

/** The values of `out` (awaited, float32), after which `out` and `also` are disposed. */
export async function readAndDispose(out: tf.Tensor[], also: tf.Tensor[] = []): Promise<Float32Array[]> {
  const r = await Promise.all(out.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([...out, ...also]);
  return r;
}
