// Optional fused kernels for training-mode batch norm (registered by the native addon for the wasm backend).
// ChanlabBatchNormTrain:     inputs {x: [N,H,W,C], gamma: [C], beta: [C]}, attrs {eps}
//                            -> [y: x's shape, mean: [C], variance: [C] (biased), invStd: [C]]
// ChanlabBatchNormTrainGrad: inputs {dy, x, mean, invStd, gamma} -> [dx, dGamma: [C], dBeta: [C]]
export const ChanlabBatchNormTrain = 'ChanlabBatchNormTrain';
export const ChanlabBatchNormTrainGrad = 'ChanlabBatchNormTrainGrad';

// Training batch norm with the activation and the residual add that follow it in a ResNet block (webgpu kernels):
// ChanlabBatchNormTrainAct:     inputs {x, gamma, beta, residual?: x's shape, runningMean?, runningVar?: [C],
//                                numBatchesTracked?: int32 scalar}, attrs BatchNormTrainActAttrs
//                               -> [y = act(γ·x̂ + β + residual), mean: [C], variance: [C] (biased), invStd: [C]];
//                               the running inputs, when given, are updated IN PLACE (PyTorch's rule with
//                               `momentum`, variance unbiased by `unbias` = n/(n−1)) and the count incremented.
// ChanlabBatchNormTrainActGrad: inputs {dy, x, y, mean, invStd, gamma}, attrs {activation, residual}
//                               -> [dx, dGamma, dBeta] and, with residual, dResidual (= the gradient before BN).
export const ChanlabBatchNormTrainAct = 'ChanlabBatchNormTrainAct';
export const ChanlabBatchNormTrainActGrad = 'ChanlabBatchNormTrainActGrad';

export interface BatchNormTrainActAttrs {
  eps: number;
  activation: 'linear' | 'relu';
  /** running-stat momentum (used when the running inputs are given) */
  momentum: number;
  /** n / (n − 1), n = values per channel */
  unbias: number;
  /** whether a residual input is given (its gradient is an output of the backward kernel) */
  residual: boolean;
}
