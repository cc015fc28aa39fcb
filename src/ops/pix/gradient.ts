// The one registered gradient of ChanlabPix (all backends): both input gradients come from a single
// ChanlabPixGrad kernel call.
import {
  engine, type GradConfig, type NamedAttrMap, type Tensor,
} from '@tensorflow/tfjs-core';
import { ChanlabPix, ChanlabPixGrad } from './kernel_names.js';

export const pixGradConfig: GradConfig = {
  kernelName: ChanlabPix,
  inputsToSave: ['x', 'p'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, p] = saved;
    const g = Array.isArray(dy) ? dy[0] : dy;
    // One kernel call for both, made here rather than in the closures: tfjs runs each closure in its own tidy, so a
    // tensor created inside the first one would be disposed before the second could return it.
    // p was already checked for NaN by the forward kernel.
    const [dx, dp] = engine().runKernel(ChanlabPixGrad, { x, p, dy: g }, { ...attrs, checkNaN: false }) as Tensor[];
    return { x: () => dx, p: () => dp };
  },
};
