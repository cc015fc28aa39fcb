// The one registered gradient of ChanlabDgcStackHeads: the 4·h per-head gradients from a single
// ChanlabDgcStackHeadsGrad call (the stacked gradients cut back into heads).
import { engine, type GradConfig, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core';
import { ChanlabDgcStackHeads, ChanlabDgcStackHeadsGrad, dgcStackInputNames } from './kernel_names.js';

export const dgcStackHeadsGradConfig: GradConfig = {
  kernelName: ChanlabDgcStackHeads,
  gradFunc: (dys: Tensor | Tensor[], _saved: Tensor[], attrs: NamedAttrMap) => {
    const [dw1, dw2, db2, dw] = dys as Tensor[];
    const grads = engine().runKernel(ChanlabDgcStackHeadsGrad, { dw1, dw2, db2, dw }, attrs) as Tensor[];
    const names = dgcStackInputNames(attrs.heads as number);
    return Object.fromEntries(names.map((n, i) => [n, () => grads[i]!]));
  },
};
