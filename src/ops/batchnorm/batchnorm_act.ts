// batchNormTrainAct(x, gamma, beta, eps, {activation, residual, running}): act(batch norm(x) + residual) in training
// mode as ONE kernel where the backend registers ChanlabBatchNormTrainAct (webgpu: a statistics pass and a normalise
// pass forward, two passes backward; the gradient is registered in gradient.ts), the running statistics updated in
// place by the kernel. Callers check hasBatchNormActKernel() and compose batchNormTrain + add + relu elsewhere
// (BatchNorm2d.forwardAct).
import * as tf from '@tensorflow/tfjs-core';
import type { OnStats } from './batchnorm_train.js';
import { ChanlabBatchNormTrainAct, type BatchNormTrainActAttrs } from './kernel_names.js';

export function hasBatchNormActKernel(backendName: string = tf.getBackend()): boolean {
  return tf.getKernel(ChanlabBatchNormTrainAct, backendName) !== undefined;
}

export interface BatchNormActOptions {
  activation: 'linear' | 'relu';
  /** added before the activation (a ResNet block's shortcut); gets its gradient */
  residual?: tf.Tensor;
  /** running statistics the kernel updates in place (their data must be their own), PyTorch's momentum rule */
  running?: { mean: tf.Tensor; variance: tf.Tensor; count: tf.Tensor; momentum: number };
  /** receives the batch mean and biased variance when `running` is not given */
  onStats?: OnStats;
}

export function batchNormTrainAct(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, o: BatchNormActOptions): tf.Tensor {
  const m = x.size / x.shape[x.rank - 1]!;
  const attrs: BatchNormTrainActAttrs = {
    eps, activation: o.activation, momentum: o.running?.momentum ?? 0, unbias: m / Math.max(m - 1, 1), residual: o.residual !== undefined,
  };
  const inputs: tf.NamedTensorMap = { x, gamma, beta };
  if (o.residual) inputs.residual = o.residual;
  if (o.running) Object.assign(inputs, { runningMean: o.running.mean, runningVar: o.running.variance, numBatchesTracked: o.running.count });
  const [y, mean, variance, invStd] = tf.engine().runKernel(ChanlabBatchNormTrainAct, inputs, attrs as unknown as tf.NamedAttrMap) as
    unknown as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
  o.onStats?.(mean, variance);
  tf.dispose([mean, variance, invStd]);
  return y;
}
