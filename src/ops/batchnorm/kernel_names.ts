// Optional fused kernels for training-mode batch norm (registered by the native addon for the wasm backend).
// ChanlabBatchNormTrain:     inputs {x: [N,H,W,C], gamma: [C], beta: [C]}, attrs {eps}
//                            -> [y: x's shape, mean: [C], variance: [C] (biased), invStd: [C]]
// ChanlabBatchNormTrainGrad: inputs {dy, x, mean, invStd, gamma} -> [dx, dGamma: [C], dBeta: [C]]
export const ChanlabBatchNormTrain = 'ChanlabBatchNormTrain';
export const ChanlabBatchNormTrainGrad = 'ChanlabBatchNormTrainGrad';
