// dgcEval(inputs, {heads, stride, padding, inactive, epsilon}): a DGC layer's eval-mode forward in one op
// (docs/methods/dgc.md §1.3, §8.3): BN with running statistics → ReLU → spatial mean → the heads' saliency MLPs →
// the gate → the heads over the kept channels only, interleaved. Returns y and the gated saliencies.
//
// Runs the ChanlabDgcEval kernel where the active backend has one (wasm + native addon, webgpu: only the kept
// channels are convolved); elsewhere, or with impl 'composite', the stock-op composite, which is the masked form
// (every head convolves a·ĝ_i with its full filter, through dgcHeads). Both give the same y. Eval only: no gradient.
import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegativeInt, checkOneOf } from '../../core/check.js';
import { dgcHeads, dgcHeadsAttrs } from './dgc_heads.js';
import { checkDropCount, gateHeads } from './gate.js';
import { ChanlabDgcEval, type DgcEvalAttrs } from './kernel_names.js';
import { dgcSaliency } from './saliency.js';
import { dgcHeadsDims } from './shape.js';

export interface DgcEvalInputs {
  /** [B, H, W, C] the layer's input (before its BN) */
  x: tf.Tensor4D;
  /** BN running mean and variance, weight (γ) and bias (β): [C] each */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
  /** the heads' saliency MLPs: fc1 weights [h, d, C] (PyTorch's [out, in] per head), fc2 weights [h, d, C] (tfjs's
   *  [in, out]) and biases [h, C] */
  w1: tf.Tensor3D;
  w2: tf.Tensor3D;
  b2: tf.Tensor2D;
  /** the heads' kernels stacked head-major [k, k, C, C'] */
  w: tf.Tensor4D;
}

export interface DgcEvalOptions {
  heads: number;
  stride?: number;
  padding?: number;
  /** channels each head drops */
  inactive: number;
  /** BN epsilon, default 1e-5 */
  epsilon?: number;
  /** 'auto' (kernel if registered, else composite), or force one. Default 'auto'. */
  impl?: 'auto' | 'kernel' | 'composite';
}

/** Whether the active backend has the kept-channel eval kernel. */
export function hasDgcEvalKernel(backendName: string = tf.getBackend()): boolean {
  return tf.getKernel(ChanlabDgcEval, backendName) !== undefined;
}

function vectorOf(t: tf.Tensor, C: number, name: string): void {
  if (t.rank !== 1 || t.shape[0] !== C) throw new Error(`dgcEval: ${name} must have shape [${C}] (the input channels), got [${t.shape.join(',')}]`);
}

/** Checked attributes; throws naming the bad input or option. */
export function dgcEvalAttrs(inputs: DgcEvalInputs, o: DgcEvalOptions): DgcEvalAttrs {
  const heads = dgcHeadsAttrs(o);
  const { x, w1, w2, b2, w } = inputs;
  for (const name in inputs) {
    const t = inputs[name as keyof DgcEvalInputs];
    if (!(t instanceof tf.Tensor) || t.dtype !== 'float32') throw new Error(`dgcEval: ${name} must be a float32 tensor, got ${t instanceof tf.Tensor ? t.dtype : String(t)}`);
  }
  if (x.rank !== 4) throw new Error(`dgcEval: x must be NHWC [B,H,W,C], got shape [${x.shape.join(',')}]`);
  const [B, , , C] = x.shape;
  const h = heads.heads;
  dgcHeadsDims(x.shape, [h, B, C], w.shape, heads);
  for (const n of ['mean', 'variance', 'gamma', 'beta'] as const) vectorOf(inputs[n], C, n);
  const d = w1.shape[1];
  if (w1.rank !== 3 || w1.shape[0] !== h || w1.shape[2] !== C || !(d! >= 1)) throw new Error(`dgcEval: w1 must have shape [heads, d, C] = [${h},d ≥ 1,${C}], got [${w1.shape.join(',')}]`);
  if (w2.rank !== 3 || w2.shape[0] !== h || w2.shape[1] !== d || w2.shape[2] !== C) throw new Error(`dgcEval: w2 must have shape [heads, d, C] = [${h},${d},${C}], got [${w2.shape.join(',')}]`);
  if (b2.rank !== 2 || b2.shape[0] !== h || b2.shape[1] !== C) throw new Error(`dgcEval: b2 must have shape [heads, C] = [${h},${C}], got [${b2.shape.join(',')}]`);
  const inactive = checkDropCount(checkNonNegativeInt(o.inactive, 'inactive', 'dgcEval'), C, 'dgcEval');
  const epsilon = o.epsilon ?? 1e-5;
  if (typeof epsilon !== 'number' || !(epsilon > 0)) throw new Error(`dgcEval: epsilon must be > 0, got ${String(epsilon)}`);
  return { ...heads, inactive, epsilon };
}

/** The stock-op composite, the masked form: [y, gated]. */
export function dgcEvalComposite(inputs: DgcEvalInputs, attrs: DgcEvalAttrs): [tf.Tensor4D, tf.Tensor3D] {
  const { x, mean, variance, gamma, beta, w1, w2, b2, w } = inputs;
  return tf.tidy(() => {
    const a = tf.relu(tf.batchNorm(x, mean, variance, beta, gamma, attrs.epsilon)) as tf.Tensor4D;
    const g = dgcSaliency(tf.mean(a, [1, 2]) as tf.Tensor2D, w1, w2, b2); // [h, B, C]
    const gated = gateHeads(g, attrs.inactive);
    return [dgcHeads(a, gated, w, { heads: attrs.heads, stride: attrs.stride, padding: attrs.padding, impl: 'auto' }), gated];
  });
}

export function dgcEval(inputs: DgcEvalInputs, opts: DgcEvalOptions): { y: tf.Tensor4D; gated: tf.Tensor3D } {
  if (inputs === null || typeof inputs !== 'object') throw new Error('dgcEval: inputs must be an object {x, mean, variance, gamma, beta, w1, w2, b2, w}');
  const attrs = dgcEvalAttrs(inputs, opts);
  const impl = checkOneOf(opts.impl ?? 'auto', ['auto', 'kernel', 'composite'] as const, 'impl', 'dgcEval');
  const kernel = hasDgcEvalKernel();
  if (impl === 'kernel' && !kernel) {
    throw new Error(`dgcEval: impl 'kernel' requested but no ${ChanlabDgcEval} kernel is registered for backend '${tf.getBackend()}'; use impl 'auto' or 'composite'`);
  }
  if (impl === 'composite' || !kernel) {
    const [y, gated] = dgcEvalComposite(inputs, attrs);
    return { y, gated };
  }
  const [y, gated] = tf.engine().runKernel(ChanlabDgcEval, { ...inputs }, attrs as unknown as tf.NamedAttrMap) as [tf.Tensor4D, tf.Tensor3D];
  return { y: y!, gated: gated! };
}
