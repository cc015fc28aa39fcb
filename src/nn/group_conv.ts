// Grouped convolution in one kernel call where the backend registers ChanlabGroupConv2D (the native addon on wasm),
// with its gradient through the two backprop kernels. Elsewhere src/nn/conv.ts splits into groups.
import * as tf from '@tensorflow/tfjs-core';
import {
  ChanlabGroupConv2D, ChanlabGroupConv2DBackpropFilter, ChanlabGroupConv2DBackpropInput, type GroupConvAttrs,
  type GroupConvPad,
} from '../ops/group_conv/kernel_names.js';

/** Whether the active backend runs grouped convolutions in one kernel. */
export function hasGroupConvKernel(): boolean {
  return tf.getKernel(ChanlabGroupConv2D, tf.getBackend()) != null;
}

/** y = grouped conv(x, w): x [N,H,W,IC], w [KH,KW,IC/groups,OC] → [N,OH,OW,OC]. */
export function groupConv2dKernel(x: tf.Tensor4D, w: tf.Tensor4D, stride: [number, number], pad: GroupConvPad,
  dilation: [number, number], groups: number): tf.Tensor4D {
  const attrs: GroupConvAttrs = { strides: stride, pad, dilations: dilation, groups };
  const f = tf.customGrad(((xx: tf.Tensor4D, ww: tf.Tensor4D, save: tf.GradSaveFunc) => {
    const value = tf.engine().runKernel(ChanlabGroupConv2D, { x: xx, filter: ww },
      attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    save([xx, ww]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
      const dx = tf.engine().runKernel(ChanlabGroupConv2DBackpropInput, { dy, filter: sw },
        { ...attrs, inputShape: sx.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const dw = tf.engine().runKernel(ChanlabGroupConv2DBackpropFilter, { x: sx, dy },
        { ...attrs, filterShape: sw.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
      return [dx, dw];
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, w) as tf.Tensor4D;
}
