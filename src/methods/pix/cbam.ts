// CBAM (Woo et al.), baseline of the PiX supplement (§D.2): channel attention (shared MLP on global avg- and
// max-pooled vectors, summed, sigmoid) then spatial attention (channel max and mean maps, concatenated in that order
// as the official CBAM `ChannelPool`, 7×7 conv 2→1 without bias + BN(1), sigmoid). NHWC.
// Keys (chosen here, timm-like): channel.fc1/fc2 (1×1 convs with bias), spatial.conv, spatial.bn.
// The supplement's cost of CBAM (cbamFormula in src/flops/formulas.ts) charges the 7×7 conv as 1×2×HW ⚠.
import * as tf from '@tensorflow/tfjs-core';
import { ReLU } from '../../nn/activation.js';
import { BatchNorm2d } from '../../nn/batchnorm.js';
import { Conv2d } from '../../nn/conv.js';
import { Module } from '../../nn/module.js';
import { checkNHWC, checkPositiveInt } from '../../core/check.js';

export class CbamChannelGate extends Module {
  readonly fc1: Conv2d;
  readonly act: ReLU;
  readonly fc2: Conv2d;
  constructor(readonly channels: number, readonly hidden: number) {
    super();
    this.fc1 = this.addModule('fc1', new Conv2d({ inChannels: channels, outChannels: hidden, kernelSize: 1 }));
    this.act = this.addModule('act', new ReLU());
    this.fc2 = this.addModule('fc2', new Conv2d({ inChannels: hidden, outChannels: channels, kernelSize: 1 }));
  }
  private mlp(v: tf.Tensor): tf.Tensor {
    return this.fc2.call(this.act.call(this.fc1.call(v)));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = tf.add(this.mlp(tf.mean(x, [1, 2], true)), this.mlp(tf.max(x, [1, 2], true)));
      return tf.mul(x, tf.sigmoid(a));
    });
  }
}

export class CbamSpatialGate extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  constructor(readonly kernelSize = 7) {
    super();
    if (!Number.isInteger(kernelSize) || kernelSize < 1 || kernelSize % 2 === 0) {
      throw new Error(`CBAM: spatialKernel must be an odd positive integer, got ${kernelSize}`);
    }
    const pad = (kernelSize - 1) / 2;
    this.conv = this.addModule('conv', new Conv2d({ inChannels: 2, outChannels: 1, kernelSize, padding: pad, bias: false }));
    this.bn = this.addModule('bn', new BatchNorm2d(1));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const pooled = tf.concat([tf.max(x, 3, true), tf.mean(x, 3, true)], 3); // [N,H,W,2]
      return tf.mul(x, tf.sigmoid(this.bn.call(this.conv.call(pooled))));
    });
  }
}

export interface CBAMOptions {
  channels: number;
  reduction?: number;
  hidden?: number;
  spatialKernel?: number;
}

export class CBAM extends Module {
  readonly channels: number;
  readonly hidden: number;
  readonly channel: CbamChannelGate;
  readonly spatial: CbamSpatialGate;
  constructor(o: CBAMOptions) {
    super();
    this.channels = checkPositiveInt(o.channels, 'channels', 'CBAM');
    const r = o.reduction ?? 16;
    if (!(r > 0)) throw new Error(`CBAM: reduction must be > 0, got ${r}`);
    this.hidden = checkPositiveInt(o.hidden ?? Math.max(1, Math.floor(this.channels / r)), 'hidden', 'CBAM');
    this.channel = this.addModule('channel', new CbamChannelGate(this.channels, this.hidden));
    this.spatial = this.addModule('spatial', new CbamSpatialGate(o.spatialKernel ?? 7));
  }
  forward(x: tf.Tensor): tf.Tensor {
    checkNHWC(x, this.channels, 'CBAM');
    return tf.tidy(() => this.spatial.call(this.channel.call(x)));
  }
}
