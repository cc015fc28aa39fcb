// FBS (feature boosting and suppression, Gao et al. 2019) as the PiX supplement describes and costs it (§D.3,
// Eqs. 42–48; its cost as printed there: fbsFormula in src/flops/formulas.ts): saliency s = σ(conv_sqz(GAP(x))) with a C×C predictor, winner-take-all keeps the k largest saliencies
// per sample (others 0), then y = ReLU(BN(x) · s_topk). NHWC, x [N,H,W,C] → y [N,H,W,C].
// ⚠ Differences from the FBS paper, following the supplement: the saliency comes from the gated tensor itself (FBS
// predicts it from the conv's input), uses a sigmoid (FBS: ReLU), and C→C. Ties at the k-th value keep all tied
// channels. The top-k selection passes no gradient; kept channels get gradient through s.
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d } from '../../nn/batchnorm.js';
import { Conv2d } from '../../nn/conv.js';
import { Module } from '../../nn/module.js';
import { AdaptiveAvgPool2d } from '../../nn/pooling.js';
import { checkNHWC, checkPositiveInt } from '../../core/check.js';
import { topKMask } from './util.js';

export interface FBSOptions {
  channels: number;
  /** Channels kept per sample, 1 ≤ k ≤ C (default ceil(C/2)). */
  k?: number;
  /** Bias on the saliency predictor (default true). */
  bias?: boolean;
}

export class FBS extends Module {
  readonly channels: number;
  readonly k: number;
  readonly global_pool: AdaptiveAvgPool2d;
  readonly conv_sqz: Conv2d;
  readonly bn: BatchNorm2d;

  constructor(o: FBSOptions) {
    super();
    this.channels = checkPositiveInt(o.channels, 'channels', 'FBS');
    this.k = o.k ?? Math.ceil(this.channels / 2);
    if (!Number.isInteger(this.k) || this.k < 1 || this.k > this.channels) {
      throw new Error(`FBS: k must be an integer in [1, ${this.channels}] (channels kept), got ${o.k}`);
    }
    this.global_pool = this.addModule('global_pool', new AdaptiveAvgPool2d(1));
    this.conv_sqz = this.addModule('conv_sqz', new Conv2d({ inChannels: this.channels, outChannels: this.channels, kernelSize: 1, bias: o.bias ?? true }));
    this.bn = this.addModule('bn', new BatchNorm2d(this.channels));
  }

  /** Winner-take-all saliency: [N,1,1,C], zero outside each sample's top k. */
  saliency(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const s = tf.sigmoid(this.conv_sqz.call(this.global_pool.call(x)));
      const n = x.shape[0]!;
      const s2 = tf.reshape(s, [n, this.channels]);
      const mask = topKMask(s2 as tf.Tensor2D, this.k);
      return tf.reshape(tf.mul(s2, mask), [n, 1, 1, this.channels]);
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkNHWC(x, this.channels, 'FBS');
    return tf.tidy(() => tf.relu(tf.mul(this.bn.call(x), this.saliency(x))));
  }
}
