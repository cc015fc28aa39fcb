// The registered gradient of ChanlabGroupConv2D (every backend with the kernel): the two backprop kernels.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import {
  ChanlabGroupConv2D, ChanlabGroupConv2DBackpropFilter, ChanlabGroupConv2DBackpropInput, type GroupConvAttrs,
} from './kernel_names.js';

export const groupConv2dGradConfig: GradConfig = {
  kernelName: ChanlabGroupConv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const g = (Array.isArray(dy) ? dy[0] : dy)!;
    const a = attrs as unknown as GroupConvAttrs;
    return {
      x: () => tf.engine().runKernel(ChanlabGroupConv2DBackpropInput, { dy: g, filter },
        { ...a, inputShape: x.shape } as unknown as NamedAttrMap) as Tensor,
      filter: () => tf.engine().runKernel(ChanlabGroupConv2DBackpropFilter, { x, dy: g },
        { ...a, filterShape: filter.shape } as unknown as NamedAttrMap) as Tensor,
    };
  },
};
