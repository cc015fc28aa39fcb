// CondenseNet's `Conv` block used by the DGC DenseNets (docs/methods/dgc.md §3.1): BN → ReLU → Conv2d (no bias),
// keys norm.*, conv.weight (the ReLU has no state).
import type * as tf from '@tensorflow/tfjs-core';
import { ReLU } from '../../nn/activation.js';
import { BatchNorm2d } from '../../nn/batchnorm.js';
import { Conv2d } from '../../nn/conv.js';
import { Module } from '../../nn/module.js';

export class PreActConv extends Module {
  readonly norm: BatchNorm2d;
  readonly relu: ReLU;
  readonly conv: Conv2d;
  constructor(inChannels: number, outChannels: number, kernelSize: number, padding = 0, groups = 1) {
    super();
    this.norm = this.addModule('norm', new BatchNorm2d(inChannels));
    this.relu = this.addModule('relu', new ReLU());
    this.conv = this.addModule('conv', new Conv2d({ inChannels, outChannels, kernelSize, padding, groups, bias: false }));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.conv.call(this.relu.call(this.norm.call(x)));
  }
}
