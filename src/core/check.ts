// Generic argument checks shared by ops, layers, methods and models: every error names the owner, the parameter and
// the expected value. Parameter checks that belong to one operator live next to it (e.g. src/ops/pix/validate.ts).
import type * as tf from '@tensorflow/tfjs-core';

export function checkPositiveInt(value: number, name: string, owner: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${owner}: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export function checkNonNegativeInt(value: number, name: string, owner: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`${owner}: ${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/**
 * A convolution's channels: inChannels and outChannels positive integers, and `groups` (the parameter `name`:
 * 'groups', or 'heads' for DGC) a positive integer that divides both. Returns [inChannels, outChannels, groups].
 */
export function checkChannelGroups(inChannels: number, outChannels: number, groups: number, name: string, owner: string): [number, number, number] {
  checkPositiveInt(inChannels, 'inChannels', owner);
  checkPositiveInt(outChannels, 'outChannels', owner);
  checkPositiveInt(groups, name, owner);
  if (inChannels % groups !== 0) throw new Error(`${owner}: ${name} (${groups}) must divide inChannels (${inChannels})`);
  if (outChannels % groups !== 0) throw new Error(`${owner}: ${name} (${groups}) must divide outChannels (${outChannels})`);
  return [inChannels, outChannels, groups];
}

/** A PyTorch-style int-or-pair argument. */
export function pair(value: number | readonly [number, number], name: string, owner: string, allowZero = false): [number, number] {
  const [a, b] = typeof value === 'number' ? [value, value] : value;
  const check = allowZero ? checkNonNegativeInt : checkPositiveInt;
  return [check(a!, name, owner), check(b!, name, owner)];
}

/** `value` must be one of `allowed` (string options such as an activation or a stem kind). */
export function checkOneOf<T extends string>(value: T, allowed: readonly T[], name: string, owner: string): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new Error(`${owner}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${String(value)}`);
  }
  return value;
}

/** `value` must be a finite number in [lo, hi]. */
export function checkInRange(value: number, lo: number, hi: number, name: string, owner: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) {
    throw new Error(`${owner}: ${name} must be a finite number in [${lo}, ${hi}], got ${String(value)}`);
  }
  return value;
}

/**
 * `x` must be rank-4 NHWC; with `channels`, its last axis must be that size (otherwise at least 1). `name` is the
 * tensor's parameter name ('input' for a layer's forward).
 */
export function checkNHWC(x: tf.Tensor, channels: number | null, owner: string, name = 'input'): void {
  const want = `[N,H,W,${channels ?? 'C'}]`;
  if (x.rank !== 4) {
    throw new Error(`${owner}: ${name} must be rank 4 NHWC ${want}, got shape [${x.shape.join(',')}]`);
  }
  const c = x.shape[3]!;
  if (channels === null ? c < 1 : c !== channels) {
    const what = channels === null ? 'at least one channel' : `${channels} channels`;
    throw new Error(`${owner}: ${name} must have ${what} (NHWC ${want}), got shape [${x.shape.join(',')}]`);
  }
}

/** What a parsed JSON value is, for messages: 'an array', 'null', 'a string', 'a number', 'a boolean', 'an object'. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array (${v.length} items)`;
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
