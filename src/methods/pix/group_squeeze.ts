// Group-convolution squeeze (supplement Fig. 2 comparison): the baseline 1×1 squeeze C→G (+BN+ReLU) with a grouped
// conv. With groups = G (default) output g sees only its subset [gζ, gζ+ζ): a static, learned fusion of the same
// subsets PiX picks/mixes dynamically. Keys: conv (1×1, no bias), bn, relu. NHWC [N,H,W,C] → [N,H,W,G].
// Its fast path does not call `conv`, so it prices itself for the FLOP counter (conv + BN + ReLU; under
// 'pix-supplement' that is squeezeFormula in src/flops/formulas.ts).
import * as tf from '@tensorflow/tfjs-core';
import { ReLU } from '../../nn/activation.js';
import { BatchNorm2d } from '../../nn/batchnorm.js';
import { Conv2d } from '../../nn/conv.js';
import { Module } from '../../nn/module.js';
import { checkNHWC, checkPositiveInt } from '../../core/check.js';
import type { FlopsContributor, FlopsCost } from '../../flops/contributor.js';
import type { Convention } from '../../flops/conventions.js';
import { costOfOps } from '../../flops/formulas.js';
import type { Shape } from '../../flops/ops.js';
import { validateZeta } from '../../ops/pix/validate.js';

export interface GroupConvSqueezeOptions {
  inChannels: number;
  zeta: number;
  /** Conv groups (default C/ζ: one subset per output channel); must divide C and C/ζ. */
  groups?: number;
}

export class GroupConvSqueeze extends Module implements FlopsContributor {
  readonly inChannels: number;
  readonly zeta: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  readonly relu: ReLU;

  constructor(o: GroupConvSqueezeOptions) {
    super();
    const name = 'GroupConvSqueeze';
    this.inChannels = checkPositiveInt(o.inChannels, 'inChannels', name);
    this.zeta = validateZeta(o.zeta, name);
    if (this.inChannels % this.zeta !== 0) {
      throw new Error(`${name}: inChannels (${this.inChannels}) must be divisible by zeta (${this.zeta})`);
    }
    this.outChannels = this.inChannels / this.zeta;
    this.groups = checkPositiveInt(o.groups ?? this.outChannels, 'groups', name);
    if (this.inChannels % this.groups !== 0 || this.outChannels % this.groups !== 0) {
      throw new Error(`${name}: groups (${this.groups}) must divide inChannels (${this.inChannels}) and C/ζ (${this.outChannels})`);
    }
    this.conv = this.addModule('conv', new Conv2d({ inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: 1, groups: this.groups, bias: false }));
    this.bn = this.addModule('bn', new BatchNorm2d(this.outChannels));
    this.relu = this.addModule('relu', new ReLU());
  }

  /** The grouped 1×1 conv; when each group has one output, a multiply-and-sum over [NHW, G, ζ] (no split/concat). */
  private squeeze(x: tf.Tensor): tf.Tensor {
    if (this.groups !== this.outChannels) return this.conv.call(x);
    const [n, h, w] = x.shape as number[];
    const G = this.outChannels;
    const wt = tf.transpose(tf.reshape(this.conv.weight.variable, [this.zeta, G])); // [G, ζ]
    const y = tf.sum(tf.mul(tf.reshape(x, [n! * h! * w!, G, this.zeta]), wt), 2);
    return tf.reshape(y, [n!, h!, w!, G]);
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkNHWC(x, this.inChannels, 'GroupConvSqueeze');
    return tf.tidy(() => this.relu.call(this.bn.call(this.squeeze(x))));
  }

  /** The grouped 1×1 conv, BN and ReLU as the counter would price them if the conv were called as a module. */
  flopsFor(inputShape: Shape, outputShape: Shape, convention: Convention): FlopsCost {
    const C = this.inChannels;
    const G = this.outChannels;
    return costOfOps([
      { name: 'conv', type: 'Conv2d', kind: 'conv', inputShape, outputShape, params: G * (C / this.groups), inChannels: C, outChannels: G, kernel: [1, 1], groups: this.groups, bias: false },
      { name: 'bn', type: 'BatchNorm2d', kind: 'bn', inputShape: outputShape, outputShape, params: 2 * G, affine: true },
      { name: 'relu', type: 'ReLU', kind: 'relu', inputShape: outputShape, outputShape, params: 0 },
    ], convention);
  }
}
