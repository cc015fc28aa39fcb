// SGD over many parameters in a few dispatches where the active backend is webgpu with chanlab's kernels
// (src/kernels/webgpu/sgd.ts); the optimizer (src/train/optim.ts) keeps its per-parameter path for the rest.
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { webgpuKernelsEnabled } from '../kernels/webgpu/index.js';
import { newOutput, ownsData } from '../kernels/webgpu/runtime.js';
import { sgdMultiTensor, type SgdHyper, type SgdItem } from '../kernels/webgpu/sgd.js';

export interface FusedSgdParam {
  variable: tf.Variable;
  grad: tf.Tensor | undefined;
  /** the momentum buffer of earlier steps, if any */
  buffer: tf.Tensor | undefined;
  weightDecay: number;
}

/** For each parameter: its momentum buffer after the fused step (a new tensor on its first step; undefined without
 *  momentum), or null where the fused step did not handle it (no gradient, shared data, not float32). */
export type FusedSgdResult = Array<{ buffer: tf.Tensor | undefined } | null>;

/** Whether fusedSgdStep can run on the active backend. */
export function hasFusedSgd(): boolean {
  return tf.getBackend() === 'webgpu' && webgpuKernelsEnabled();
}

/** One SGD step of torch.optim.SGD's rule, in place, for every parameter it can take (see FusedSgdResult). */
export function fusedSgdStep(params: readonly FusedSgdParam[], h: SgdHyper): FusedSgdResult {
  if (!hasFusedSgd()) return params.map(() => null);
  const b = tf.backend() as unknown as WebGPUBackend;
  const momentum = h.momentum !== 0;
  const items: SgdItem[] = [];
  const out: FusedSgdResult = params.map((p) => {
    const { variable: w, grad, buffer } = p;
    const ok = grad !== undefined && w.dtype === 'float32' && grad.dtype === 'float32' && ownsData(b, w) &&
      util.arraysEqual(grad.shape, w.shape) && (buffer === undefined || (ownsData(b, buffer) && util.arraysEqual(buffer.shape, w.shape)));
    if (!ok) return null;
    const first = momentum && buffer === undefined;
    const buf = !momentum ? undefined : buffer ?? tf.keep(tf.engine().makeTensorFromTensorInfo(newOutput(b, [...w.shape])));
    items.push({ w, grad: grad!, buf: buf ?? null, first, weightDecay: p.weightDecay });
    return { buffer: buf };
  });
  sgdMultiTensor(b, items, h);
  return out;
}

const util = tf.util;
