// Input validation shared by layers: clear errors naming the layer, the parameter and what was expected.
import type * as tf from '@tensorflow/tfjs-core';

export function checkPositiveInt(value: number, name: string, owner: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${owner}: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

export function checkNonNegativeInt(value: number, name: string, owner: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${owner}: ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

/** A PyTorch-style int-or-pair argument. */
export function pair(value: number | readonly [number, number], name: string, owner: string, allowZero = false): [number, number] {
  const [a, b] = typeof value === 'number' ? [value, value] : value;
  const check = allowZero ? checkNonNegativeInt : checkPositiveInt;
  return [check(a!, name, owner), check(b!, name, owner)];
}

/** x must be NHWC with the given channel count. */
export function checkNHWC(x: tf.Tensor, channels: number, owner: string): void {
  if (x.rank !== 4) {
    throw new Error(`${owner}: input must be rank 4 NHWC [N,H,W,${channels}], got shape [${x.shape.join(',')}]`);
  }
  if (x.shape[3] !== channels) {
    throw new Error(`${owner}: input must have ${channels} channels (NHWC, last axis), got shape [${x.shape.join(',')}]`);
  }
}
