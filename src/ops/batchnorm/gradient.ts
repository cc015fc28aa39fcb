// The registered gradient of ChanlabBatchNormTrain (every backend with the kernel): the closed-form backward kernel
// (batchnorm_train.ts), from the saved x, gamma and the kernel's mean and 1/σ outputs. The mean and variance
// outputs feed running statistics only: no gradient flows through them.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import { ChanlabBatchNormTrain, ChanlabBatchNormTrainGrad } from './kernel_names.js';

export const batchNormTrainGradConfig: GradConfig = {
  kernelName: ChanlabBatchNormTrain,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, false, true],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [x, gamma, mean, invStd] = saved as [Tensor, Tensor, Tensor, Tensor];
    const g = (Array.isArray(dy) ? dy[0] : dy)!;
    const [dx, dGamma, dBeta] = tf.engine().runKernel(ChanlabBatchNormTrainGrad, { dy: g, x, mean, invStd, gamma }, {}) as
      unknown as [Tensor, Tensor, Tensor];
    return { x: () => dx, gamma: () => dGamma, beta: () => dBeta };
  },
};
