// Weight initialisation with PyTorch's (torch.nn.init) semantics, drawn from a seedable generator so that model
// construction is deterministic and backend-independent. Fans follow PyTorch: for a conv weight stored as
// [kh, kw, in/groups, out], fan_in = in/groups·kh·kw and fan_out = out·kh·kw.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng.js';

let generator = new Rng(0);
let skipping = 0;

/**
 * Runs `fn` with weight initialisation skipped (tensors are zeros; no random draws), like PyTorch's meta-device
 * construction: for counting parameters or building a model whose weights are loaded next.
 */
export function withoutInit<T>(fn: () => T): T {
  skipping++;
  try {
    return fn();
  } finally {
    skipping--;
  }
}

/** Seeds the generator used by layer constructors and init functions (like `torch.manual_seed`). */
export function manualSeed(seed: number): void {
  generator = new Rng(seed);
}

export function initGenerator(): Rng {
  return generator;
}

export type FanMode = 'fan_in' | 'fan_out';
export type Nonlinearity = 'relu' | 'leaky_relu' | 'linear' | 'sigmoid' | 'tanh';

/** [fanIn, fanOut] of a weight in chanlab layout: conv [kh,kw,in,out] or linear [in,out]. */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  if (shape.length === 4) {
    const rf = shape[0]! * shape[1]!;
    return [shape[2]! * rf, shape[3]! * rf];
  }
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  throw new Error(`fans: expected a rank-2 or rank-4 weight shape, got [${shape.join(',')}]`);
}

export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
  }
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function uniform(shape: number[], low: number, high: number, rng: Rng = generator): tf.Tensor {
  if (skipping > 0) return tf.zeros(shape);
  return tf.tensor(rng.fillUniform(new Float32Array(size(shape)), low, high), shape);
}

export function normal(shape: number[], mean: number, std: number, rng: Rng = generator): tf.Tensor {
  if (skipping > 0) return tf.zeros(shape);
  return tf.tensor(rng.fillNormal(new Float32Array(size(shape)), mean, std), shape);
}

export interface KaimingOptions {
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

/** The standard deviation Kaiming init targets: gain / √fan. */
function kaimingStd(shape: number[], opts: KaimingOptions): number {
  const [fanIn, fanOut] = fans(shape);
  const fan = (opts.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  return calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan);
}

/** torch.nn.init.kaiming_uniform_ (default a = 0). */
export function kaimingUniform(shape: number[], opts: KaimingOptions = {}, rng: Rng = generator): tf.Tensor {
  const bound = Math.sqrt(3) * kaimingStd(shape, opts);
  return uniform(shape, -bound, bound, rng);
}

/** torch.nn.init.kaiming_normal_. torchvision ResNet/VGG use mode 'fan_out', nonlinearity 'relu'. */
export function kaimingNormal(shape: number[], opts: KaimingOptions = {}, rng: Rng = generator): tf.Tensor {
  return normal(shape, 0, kaimingStd(shape, opts), rng);
}

/** torch.nn.init.xavier_uniform_ (PiX-ResNet uses gain 1 for every conv). */
export function xavierUniform(shape: number[], gain = 1, rng: Rng = generator): tf.Tensor {
  const [fanIn, fanOut] = fans(shape);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(shape, -a, a, rng);
}

/** PyTorch's default Conv/Linear init: weight kaiming_uniform(a=√5) = U(±1/√fan_in); bias U(±1/√fan_in). */
export function defaultWeight(shape: number[], rng: Rng = generator): tf.Tensor {
  return kaimingUniform(shape, { a: Math.sqrt(5) }, rng);
}

export function defaultBias(weightShape: number[], n: number, rng: Rng = generator): tf.Tensor {
  const [fanIn] = fans(weightShape);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform([n], -bound, bound, rng);
}
