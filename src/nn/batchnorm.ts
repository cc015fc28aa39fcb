// BatchNorm2d with PyTorch semantics: training normalises with the biased batch variance and updates running
// stats with the unbiased one (momentum 0.1, or a cumulative average when momentum is null); eval uses running stats.
import * as tf from '@tensorflow/tfjs-core';
import { checkNHWC, checkPositiveInt } from '../core/check.js';
import { Module } from './module.js';
import { batchNormTrainAct, hasBatchNormActKernel } from '../ops/batchnorm/batchnorm_act.js';
import { batchNormTrain } from '../ops/batchnorm/batchnorm_train.js';
import { Buffer, Parameter } from './parameter.js';

export interface BatchNormOptions {
  numFeatures: number;
  eps?: number;
  /** Running-stat momentum; null = cumulative moving average (PyTorch). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

export class BatchNorm2d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly runningMean: Buffer | null;
  readonly runningVar: Buffer | null;
  readonly numBatchesTracked: Buffer | null;

  constructor(opts: BatchNormOptions | number) {
    super();
    const o = typeof opts === 'number' ? { numFeatures: opts } : opts;
    const c = checkPositiveInt(o.numFeatures, 'numFeatures', 'BatchNorm2d');
    this.numFeatures = c;
    this.eps = o.eps ?? 1e-5;
    if (!(this.eps > 0)) throw new Error(`BatchNorm2d: eps must be > 0, got ${this.eps}`);
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) {
      throw new Error(`BatchNorm2d: momentum must be in [0,1] or null, got ${this.momentum}`);
    }
    const affine = o.affine ?? true;
    this.weight = affine ? this.addParameter('weight', new Parameter(tf.ones([c]))) : null;
    this.bias = affine ? this.addParameter('bias', new Parameter(tf.zeros([c]))) : null;
    if (o.trackRunningStats ?? true) {
      this.runningMean = this.addBuffer('running_mean', new Buffer(tf.zeros([c])));
      this.runningVar = this.addBuffer('running_var', new Buffer(tf.ones([c])));
      this.numBatchesTracked = this.addBuffer('num_batches_tracked', new Buffer(tf.scalar(0, 'int32'), 'int64'));
    } else {
      this.runningMean = this.runningVar = this.numBatchesTracked = null;
    }
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkNHWC(x, this.numFeatures, 'BatchNorm2d');
    const useBatchStats = this.training || !this.runningMean;
    if (!useBatchStats) {
      return tf.batchNorm(x, this.runningMean!.variable, this.runningVar!.variable,
        this.bias?.variable, this.weight?.variable, this.eps);
    }
    const n = x.shape[0]! * x.shape[1]! * x.shape[2]!;
    if (this.training && n <= 1) {
      throw new Error(`BatchNorm2d: expected more than 1 value per channel when training, got input [${x.shape.join(',')}]`);
    }
    // The closed-form gradient needs γ and β tensors; a non-affine BN uses constants.
    const gamma = this.weight?.variable ?? tf.ones([this.numFeatures]);
    const beta = this.bias?.variable ?? tf.zeros([this.numFeatures]);
    const track = this.training && this.runningMean && this.runningVar && this.numBatchesTracked;
    const y = batchNormTrain(x, gamma, beta, this.eps, track ? (mean, variance) => this.updateRunningStats(mean, variance, n) : undefined);
    if (!this.weight) gamma.dispose();
    if (!this.bias) beta.dispose();
    return y;
  }

  /**
   * act(this(x) + residual) — where the backend has the fused training kernel (hasBatchNormActKernel), in training
   * mode and without hooks here: one kernel that also updates the running statistics in place; else this module,
   * tf.add and tf.relu.
   */
  forwardAct(x: tf.Tensor, activation: 'linear' | 'relu', residual?: tf.Tensor): tf.Tensor {
    if (!this.training || this.hooked || !hasBatchNormActKernel() || !this.runningMean) {
      let y = this.call(x);
      if (residual) y = tf.add(y, residual);
      return activation === 'relu' ? tf.relu(y) : y;
    }
    checkNHWC(x, this.numFeatures, 'BatchNorm2d');
    const n = x.shape[0]! * x.shape[1]! * x.shape[2]!;
    if (n <= 1) throw new Error(`BatchNorm2d: expected more than 1 value per channel when training, got input [${x.shape.join(',')}]`);
    const gamma = this.weight?.variable ?? tf.ones([this.numFeatures]);
    const beta = this.bias?.variable ?? tf.zeros([this.numFeatures]);
    const stats = [this.runningMean.variable, this.runningVar!.variable, this.numBatchesTracked!.variable];
    // in place where the buffers own their data and the momentum rule applies; else the module's own update
    const inPlace = this.momentum !== null && stats.every((v) => tf.backend().refCount(v.dataId) === 1);
    const y = batchNormTrainAct(x, gamma, beta, this.eps, {
      activation, residual,
      running: inPlace ? { mean: stats[0]!, variance: stats[1]!, count: stats[2]!, momentum: this.momentum! } : undefined,
      onStats: inPlace ? undefined : (mean, variance) => this.updateRunningStats(mean, variance, n),
    });
    if (!this.weight) gamma.dispose();
    if (!this.bias) beta.dispose();
    return y;
  }

  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, n: number): void {
    const tracked = this.numBatchesTracked!;
    // Only the cumulative-average mode needs the count on the host (a sync read); momentum mode stays on device.
    const m = this.momentum ?? 1 / ((tracked.variable.arraySync() as number) + 1);
    const [newMean, newVar, newCount] = tf.tidy(() => {
      const mu = mean;
      const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
      return [
        tf.add(tf.mul(this.runningMean!.variable, 1 - m), tf.mul(mu, m)),
        tf.add(tf.mul(this.runningVar!.variable, 1 - m), tf.mul(unbiased, m)),
        tf.add(tracked.variable, tf.scalar(1, 'int32')),
      ];
    });
    this.runningMean!.assign(newMean!);
    this.runningVar!.assign(newVar!);
    tracked.assign(newCount!);
    tf.dispose([newMean!, newVar!, newCount!]);
  }
}
