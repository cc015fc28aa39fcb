// Squeeze-and-Excitation (Hu et al.), baseline of the PiX supplement (§D.1), with torchvision's
// `SqueezeExcitation` names: avgpool, fc1 (1×1 conv + bias), activation (ReLU), fc2 (1×1 conv + bias),
// scale_activation (Sigmoid). NHWC: y = x · σ(fc2(relu(fc1(GAP(x))))). Its supplement cost (seFormula in
// src/flops/formulas.ts) is what the FLOP counter reads off these leaves under 'pix-supplement'.
import * as tf from '@tensorflow/tfjs-core';
import { ReLU, Sigmoid } from '../../nn/activation.js';
import { Conv2d } from '../../nn/conv.js';
import { Module } from '../../nn/module.js';
import { AdaptiveAvgPool2d } from '../../nn/pooling.js';
import { checkPositiveInt } from '../../core/check.js';

export interface SEOptions {
  channels: number;
  /** Reduction ratio r (default 16); hidden width = max(1, floor(C/r)) unless `hidden` is given. */
  reduction?: number;
  hidden?: number;
}

export class SqueezeExcitation extends Module {
  readonly channels: number;
  readonly hidden: number;
  readonly reduction: number;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly fc1: Conv2d;
  readonly activation: ReLU;
  readonly fc2: Conv2d;
  readonly scale_activation: Sigmoid;

  constructor(o: SEOptions) {
    super();
    this.channels = checkPositiveInt(o.channels, 'channels', 'SqueezeExcitation');
    this.reduction = o.reduction ?? 16;
    if (!(this.reduction > 0)) throw new Error(`SqueezeExcitation: reduction must be > 0, got ${this.reduction}`);
    this.hidden = checkPositiveInt(o.hidden ?? Math.max(1, Math.floor(this.channels / this.reduction)), 'hidden', 'SqueezeExcitation');
    this.avgpool = this.addModule('avgpool', new AdaptiveAvgPool2d(1));
    this.fc1 = this.addModule('fc1', new Conv2d({ inChannels: this.channels, outChannels: this.hidden, kernelSize: 1 }));
    this.activation = this.addModule('activation', new ReLU());
    this.fc2 = this.addModule('fc2', new Conv2d({ inChannels: this.hidden, outChannels: this.channels, kernelSize: 1 }));
    this.scale_activation = this.addModule('scale_activation', new Sigmoid());
  }

  /** The channel scale s: [N,1,1,C]. */
  scale(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.scale_activation.call(this.fc2.call(this.activation.call(this.fc1.call(this.avgpool.call(x))))));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(x, this.scale(x)));
  }
}
