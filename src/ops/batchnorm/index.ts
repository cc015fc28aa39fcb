// Training-mode batch norm with a closed-form gradient (and, where a backend has it, with the activation and residual
// add in one kernel): ops, composite, kernel names, gradient configs (registered with the other custom gradients in
// src/kernels/register.ts).
export { batchNormTrain, batchNormTrainComposite, hasBatchNormTrainKernel, type OnStats } from './batchnorm_train.js';
export { batchNormTrainAct, hasBatchNormActKernel, type BatchNormActOptions } from './batchnorm_act.js';
export { batchNormTrainActGradConfig, batchNormTrainGradConfig } from './gradient.js';
export {
  ChanlabBatchNormTrain, ChanlabBatchNormTrainAct, ChanlabBatchNormTrainActGrad, ChanlabBatchNormTrainGrad, type BatchNormTrainActAttrs,
} from './kernel_names.js';
