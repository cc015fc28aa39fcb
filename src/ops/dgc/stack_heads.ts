// dgcStackHeads(heads): a DGC layer's per-head parameters stacked as its ops take them, in one op with one gradient
// (docs/methods/dgc.md §1.2, §8.5): fc1 weights [C, d] → w1 [h, d, C] (transposed: PyTorch's [out, in]), fc2 weights
// [d, C] → w2 [h, d, C], fc2 biases → b2 [h, C], conv kernels [k, k, C, C'/h] → w [k, k, C, C'] (heads side by
// side). Runs the ChanlabDgcStackHeads kernel where the backend has it (wasm + native addon: one call forward, one
// backward, instead of three stacks, a transpose, a concat and their five gradients per layer and step); elsewhere
// those stock ops.
import * as tf from '@tensorflow/tfjs-core';
import { ChanlabDgcStackHeads, ChanlabDgcStackHeadsGrad, dgcStackInputNames, type DgcStackHeadsAttrs } from './kernel_names.js';
import type { DgcHeadParams } from './train.js';

/** One head's parameters in the layers' own layouts (tfjs: Linear weights [in, out], conv filters [k, k, in, out]). */
export interface DgcHeadTensors {
  fc1: tf.Tensor;
  fc2: tf.Tensor;
  bias: tf.Tensor;
  conv: tf.Tensor;
}

export function hasDgcStackHeadsKernel(backendName: string = tf.getBackend()): boolean {
  return tf.getKernel(ChanlabDgcStackHeads, backendName) !== undefined && tf.getKernel(ChanlabDgcStackHeadsGrad, backendName) !== undefined;
}

/** The stock-op form. */
export function dgcStackHeadsComposite(heads: DgcHeadTensors[]): DgcHeadParams {
  return tf.tidy(() => ({
    w1: tf.transpose(tf.stack(heads.map((v) => v.fc1)), [0, 2, 1]) as tf.Tensor3D,
    w2: tf.stack(heads.map((v) => v.fc2)) as tf.Tensor3D,
    b2: tf.stack(heads.map((v) => v.bias)) as tf.Tensor2D,
    w: heads.length === 1 ? tf.clone(heads[0]!.conv) as tf.Tensor4D : tf.concat(heads.map((v) => v.conv as tf.Tensor4D), 3),
  }));
}

export function dgcStackHeads(heads: DgcHeadTensors[]): DgcHeadParams {
  const h = heads.length;
  if (h < 1) throw new Error('dgcStackHeads: heads must hold at least one head');
  const [C, d] = heads[0]!.fc1.shape as [number, number];
  const k = heads[0]!.conv.shape[0]!;
  heads.forEach((v, i) => {
    const want: Array<[string, tf.Tensor, number[]]> = [['fc1', v.fc1, [C, d]], ['fc2', v.fc2, [d, C]], ['bias', v.bias, [C]],
      ['conv', v.conv, [k, k, C, heads[0]!.conv.shape[3]!]]];
    for (const [name, t, shape] of want) {
      if (t.dtype !== 'float32' || t.shape.join() !== shape.join()) {
        throw new Error(`dgcStackHeads: head ${i} ${name} must be float32 [${shape.join(',')}] (as head 0's), got ${t.dtype} [${t.shape.join(',')}]`);
      }
    }
  });
  if (!hasDgcStackHeadsKernel()) return dgcStackHeadsComposite(heads);
  const names = dgcStackInputNames(h);
  const flat = [...heads.map((v) => v.fc1), ...heads.map((v) => v.fc2), ...heads.map((v) => v.bias), ...heads.map((v) => v.conv)];
  const inputs = Object.fromEntries(names.map((n, i) => [n, flat[i]!]));
  const attrs: DgcStackHeadsAttrs = { heads: h };
  const [w1, w2, b2, w] = tf.engine().runKernel(ChanlabDgcStackHeads, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { w1: w1 as tf.Tensor3D, w2: w2 as tf.Tensor3D, b2: b2 as tf.Tensor2D, w: w as tf.Tensor4D };
}
