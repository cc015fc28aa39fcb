// dgcTrain(a, {w1, w2, b2, w}, {heads, stride, padding, inactive}): a DGC layer after its BN → ReLU in training as
// one op (docs/methods/dgc.md §1.3, §1.5, §8.3): the spatial mean, the heads' saliency MLPs g (returned: the lasso term
// is Σ_i mean(g_i)), the gate (no gradient through the mask) and the heads over a·ĝ_i, interleaved.
// Runs the ChanlabDgcTrain kernel where the backend has it (wasm + native addon: forward and backward over the kept
// channels only, the MLPs and the mean fused in); elsewhere, or with impl 'masked', stock ops for the saliencies and
// the gate and the masked dgcHeads op. The gradient is registered once for the kernel (train_gradient.ts).
import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegativeInt, checkOneOf } from '../../core/check.js';
import { dgcHeads, dgcHeadsAttrs } from './dgc_heads.js';
import { checkDropCount, gateHeads } from './gate.js';
import { ChanlabDgcTrain, ChanlabDgcTrainGrad, type DgcTrainAttrs } from './kernel_names.js';
import { dgcSaliency } from './saliency.js';
import { dgcHeadsDims } from './shape.js';

/** The heads' parameters stacked: fc1 weights [h, d, C] (PyTorch's [out, in]), fc2 weights [h, d, C] (tfjs's [in, out])
 *  and biases [h, C], kernels [k, k, C, C']. */
export interface DgcHeadParams {
  w1: tf.Tensor3D;
  w2: tf.Tensor3D;
  b2: tf.Tensor2D;
  w: tf.Tensor4D;
}

export interface DgcTrainOptions {
  heads: number;
  stride?: number;
  padding?: number;
  /** channels each head drops */
  inactive: number;
  /** 'auto' (the kernel if registered, else masked), 'kernel', or 'masked' (stock ops + dgcHeads). Default 'auto'. */
  impl?: 'auto' | 'kernel' | 'masked';
}

/** Whether the active backend has both kept-channel training kernels. */
export function hasDgcTrainKernel(backendName: string = tf.getBackend()): boolean {
  return tf.getKernel(ChanlabDgcTrain, backendName) !== undefined && tf.getKernel(ChanlabDgcTrainGrad, backendName) !== undefined;
}

function checkParams(a: tf.Tensor4D, p: DgcHeadParams, h: number): void {
  for (const [name, t] of Object.entries({ a, ...p })) {
    if (!(t instanceof tf.Tensor) || t.dtype !== 'float32') throw new Error(`dgcTrain: ${name} must be a float32 tensor`);
  }
  const C = a.shape[3];
  const d = p.w1.shape[1];
  if (p.w1.rank !== 3 || p.w1.shape[0] !== h || p.w1.shape[2] !== C || !(d! >= 1)) throw new Error(`dgcTrain: w1 must have shape [heads, d, C] = [${h},d ≥ 1,${C}], got [${p.w1.shape.join(',')}]`);
  if (p.w2.rank !== 3 || p.w2.shape[0] !== h || p.w2.shape[1] !== d || p.w2.shape[2] !== C) throw new Error(`dgcTrain: w2 must have shape [heads, d, C] = [${h},${d},${C}], got [${p.w2.shape.join(',')}]`);
  if (p.b2.rank !== 2 || p.b2.shape[0] !== h || p.b2.shape[1] !== C) throw new Error(`dgcTrain: b2 must have shape [heads, C] = [${h},${C}], got [${p.b2.shape.join(',')}]`);
}

export function dgcTrain(a: tf.Tensor4D, p: DgcHeadParams, opts: DgcTrainOptions): { y: tf.Tensor4D; g: tf.Tensor3D } {
  const heads = dgcHeadsAttrs({ heads: opts.heads, stride: opts.stride, padding: opts.padding });
  if (a.rank !== 4) throw new Error(`dgcTrain: a must be NHWC [B,H,W,C], got shape [${a.shape.join(',')}]`);
  checkParams(a, p, heads.heads);
  const d = dgcHeadsDims(a.shape, [heads.heads, a.shape[0], a.shape[3]], p.w.shape, heads);
  const inactive = checkDropCount(checkNonNegativeInt(opts.inactive, 'inactive', 'dgcTrain'), d.C, 'dgcTrain');
  const impl = checkOneOf(opts.impl ?? 'auto', ['auto', 'kernel', 'masked'] as const, 'impl', 'dgcTrain');
  const kernel = hasDgcTrainKernel();
  if (impl === 'kernel' && !kernel) {
    throw new Error(`dgcTrain: impl 'kernel' requested but no ${ChanlabDgcTrain} kernel is registered for backend '${tf.getBackend()}'; use impl 'auto' or 'masked'`);
  }
  if (impl === 'masked' || !kernel) {
    return tf.tidy(() => {
      const g = dgcSaliency(tf.mean(a, [1, 2]) as tf.Tensor2D, p.w1, p.w2, p.b2);
      return { y: dgcHeads(a, gateHeads(g, inactive), p.w, { ...heads }), g };
    });
  }
  const attrs: DgcTrainAttrs = { ...heads, inactive };
  const [y, g, z] = tf.engine().runKernel(ChanlabDgcTrain, { a, ...p }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  z!.dispose(); // saved for the gradient by the engine
  return { y: y as tf.Tensor4D, g: g as tf.Tensor3D };
}
