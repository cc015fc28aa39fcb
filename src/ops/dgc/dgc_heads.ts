// dgcHeads(a, g, w, {heads, stride, padding}): the heads of a DGC layer in one op (docs/methods/dgc.md §1.3, §1.6).
//
//   a: [B,H,W,C] pre-activated input, g: [h,B,C] gated saliencies (0 for dropped channels), w: [k,k,C,C'] the heads'
//   kernels stacked head-major  ->  y: [B,Ho,Wo,C'], channel j·h + i = head i's output channel j.
//
// Runs the ChanlabDgcHeads kernel when the active backend has one (cpu, wasm, webgpu), so its registered gradient
// (ChanlabDgcHeadsGrad) is used; otherwise the stock-op composite (composite.ts).
import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegativeInt, checkPositiveInt } from '../../core/check.js';
import { dgcHeadsComposite } from './composite.js';
import { ChanlabDgcHeads, ChanlabDgcHeadsGrad, type DgcHeadsAttrs } from './kernel_names.js';
import { dgcHeadsDims } from './shape.js';

export interface DgcHeadsOptions {
  heads: number;
  stride?: number;
  padding?: number;
  /** 'auto' (kernel if registered for the active backend, else composite), or force one. Default 'auto'. */
  impl?: 'auto' | 'kernel' | 'composite';
}

/** Whether the active backend has both DGC head kernels registered. */
export function hasDgcHeadsKernel(backendName: string = tf.getBackend()): boolean {
  return tf.getKernel(ChanlabDgcHeads, backendName) !== undefined && tf.getKernel(ChanlabDgcHeadsGrad, backendName) !== undefined;
}

export function dgcHeadsAttrs(o: DgcHeadsOptions): DgcHeadsAttrs {
  if (o === null || typeof o !== 'object') throw new Error('dgcHeads: options must be an object {heads, stride?, padding?}, got ' + String(o));
  return {
    heads: checkPositiveInt(o.heads, 'heads', 'dgcHeads'),
    stride: checkPositiveInt(o.stride ?? 1, 'stride', 'dgcHeads'),
    padding: checkNonNegativeInt(o.padding ?? 0, 'padding', 'dgcHeads'),
  };
}

export function dgcHeads(a: tf.Tensor4D, g: tf.Tensor3D, w: tf.Tensor4D, opts: DgcHeadsOptions): tf.Tensor4D {
  const attrs = dgcHeadsAttrs(opts);
  for (const [name, t] of [['a', a], ['g', g], ['w', w]] as const) {
    if (t.dtype !== 'float32') throw new Error(`dgcHeads: ${name} must be float32, got ${t.dtype}`);
  }
  dgcHeadsDims(a.shape, g.shape, w.shape, attrs);
  const impl = opts.impl ?? 'auto';
  if (impl !== 'auto' && impl !== 'kernel' && impl !== 'composite') {
    throw new Error(`dgcHeads: impl must be 'auto', 'kernel' or 'composite', got ${String(impl)}`);
  }
  const kernel = hasDgcHeadsKernel();
  if (impl === 'kernel' && !kernel) {
    throw new Error(`dgcHeads: impl 'kernel' requested but no ${ChanlabDgcHeads} kernel is registered for backend '${tf.getBackend()}' (kernels exist for cpu, wasm, webgpu); use impl 'auto' or 'composite'`);
  }
  if (impl === 'kernel' || (impl === 'auto' && kernel)) {
    return tf.engine().runKernel(ChanlabDgcHeads, { a, g, w }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  return dgcHeadsComposite(a, g, w, attrs);
}
