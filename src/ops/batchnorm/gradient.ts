// The registered gradient of ChanlabBatchNormTrain (every backend with the kernel): the closed-form backward kernel
// (batchnorm_train.ts), from the saved x, gamma and the kernel's mean and 1/σ outputs. The mean and variance
// outputs feed running statistics only: no gradient flows through them.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import {
  ChanlabBatchNormTrain, ChanlabBatchNormTrainAct, ChanlabBatchNormTrainActGrad, ChanlabBatchNormTrainGrad, type BatchNormTrainActAttrs,
} from './kernel_names.js';

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

// ChanlabBatchNormTrainAct's: the backward kernel from the saved x, γ, the output y (the ReLU's mask) and the kernel's
// mean and 1/σ; the residual's gradient is the gradient before the batch norm. Running statistics get none.
export const batchNormTrainActGradConfig: GradConfig = {
  kernelName: ChanlabBatchNormTrainAct,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [true, true, false, true],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs) => {
    const [x, gamma, y, mean, invStd] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor];
    const a = attrs as unknown as BatchNormTrainActAttrs;
    const g = (Array.isArray(dy) ? dy[0] : dy)!;
    const [dx, dGamma, dBeta, dResidual] = tf.engine().runKernel(ChanlabBatchNormTrainActGrad, { dy: g, x, y, mean, invStd, gamma },
      { activation: a.activation, residual: a.residual }) as unknown as Tensor[];
    return {
      x: () => dx!, gamma: () => dGamma!, beta: () => dBeta!,
      ...(a.residual ? { residual: () => dResidual! } : {}),
    };
  },
};
