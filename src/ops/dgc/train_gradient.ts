// The one registered gradient of ChanlabDgcTrain (every backend with the kernel): da, dw1, dw2, db2 and dw from a single
// ChanlabDgcTrainGrad call, given dy and the gradient reaching g directly (the lasso term's; zeros when unused). z has
// no gradient of its own (it is internal to the op).
import { engine, type GradConfig, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core';
import { ChanlabDgcTrain, ChanlabDgcTrainGrad } from './kernel_names.js';

export const dgcTrainGradConfig: GradConfig = {
  kernelName: ChanlabDgcTrain,
  inputsToSave: ['a', 'w1', 'w2', 'b2', 'w'],
  outputsToSave: [false, true, true],
  gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [a, w1, w2, b2, w, g, z] = saved;
    const [dy, dg] = dys as Tensor[];
    const [da, dw1, dw2, db2, dw] = engine().runKernel(ChanlabDgcTrainGrad, { a, w1, w2, b2, w, g, z, dy, dg }, attrs) as Tensor[];
    return { a: () => da, w1: () => dw1, w2: () => dw2, b2: () => db2, w: () => dw };
  },
};
