// groupConv2d(x, w, stride, pad, dilation, groups): PyTorch's grouped convolution on NHWC tensors. x [N,H,W,IC],
// w [KH,KW,IC/groups,OC] (output channel o in group floor(o / (OC/groups))) → [N,OH,OW,OC].
// groups 1 is a plain conv, groups == IC with one input channel per group a depthwise conv; otherwise the
// ChanlabGroupConv2D kernel where the backend has one (the native addon on wasm: one call for all groups, gradient
// registered in gradient.ts), else the composite: one conv per group, concatenated.
import * as tf from '@tensorflow/tfjs-core';
import { ChanlabGroupConv2D, type GroupConvAttrs, type GroupConvPad } from './kernel_names.js';

/** Whether the backend runs grouped convolutions in one kernel. */
export function hasGroupConvKernel(backendName: string = tf.getBackend()): boolean {
  return tf.getKernel(ChanlabGroupConv2D, backendName) !== undefined;
}

/** One conv per group, concatenated (backends without the kernel). */
export function groupConv2dComposite(x: tf.Tensor4D, w: tf.Tensor4D, stride: [number, number], pad: GroupConvPad,
  dilation: [number, number], groups: number): tf.Tensor4D {
  const xs = tf.split(x, groups, 3);
  const ws = tf.split(w, groups, 3);
  const ys = xs.map((xg, g) => tf.conv2d(xg as tf.Tensor4D, ws[g] as tf.Tensor4D, stride, pad, 'NHWC', dilation));
  return tf.concat(ys, 3) as tf.Tensor4D;
}

export function groupConv2d(x: tf.Tensor4D, w: tf.Tensor4D, stride: [number, number], pad: GroupConvPad,
  dilation: [number, number], groups: number): tf.Tensor4D {
  if (groups === 1) return tf.conv2d(x, w, stride, pad, 'NHWC', dilation) as tf.Tensor4D;
  const [kh, kw, inPerGroup, out] = w.shape;
  const inC = x.shape[3];
  if (inPerGroup === 1 && groups === inC) {
    // PyTorch output channel o = c·m + j matches tfjs depthwise channel order.
    const m = out / inC;
    return tf.depthwiseConv2d(x, tf.reshape(w, [kh, kw, inC, m]) as tf.Tensor4D, stride, pad, 'NHWC', dilation) as tf.Tensor4D;
  }
  if (!hasGroupConvKernel()) return groupConv2dComposite(x, w, stride, pad, dilation, groups);
  const attrs: GroupConvAttrs = { strides: stride, pad, dilations: dilation, groups };
  return tf.engine().runKernel(ChanlabGroupConv2D, { x, filter: w }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
