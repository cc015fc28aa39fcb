// Training-mode batch norm with a closed-form gradient: op, composite, kernel names, gradient config (registered with
// the other custom gradients in src/kernels/register.ts).
export { batchNormTrain, batchNormTrainComposite, hasBatchNormTrainKernel, type OnStats } from './batchnorm_train.js';
export { batchNormTrainGradConfig } from './gradient.js';
export { ChanlabBatchNormTrain, ChanlabBatchNormTrainGrad } from './kernel_names.js';
