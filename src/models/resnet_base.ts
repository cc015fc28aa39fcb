// What every torchvision-shaped ResNet shares (torchvision, CHEX compact, PiX downscaling): the stem (`conv1`,
// `bn1`, `relu`, `maxpool`), stages `layer1..n`, the head (`avgpool`, `fc`), `features()` and `forward()`.
// Subclasses call addStem(), add their stages with addStage(), then addHead(), so state-dict keys keep torchvision's
// order.
import * as tf from '@tensorflow/tfjs-core';
import { Flatten, Identity, ReLU } from '../nn/activation.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import type { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { convBnAct } from '../nn/conv_bn.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling.js';

/** 'imagenet': 7×7/2 conv + 3×3/2 max-pool; 'small': 3×3/1 conv, no max-pool (28–32 px inputs). */
export type Stem = 'imagenet' | 'small';

export abstract class ResNetBase extends Module {
  conv1!: Conv2d;
  bn1!: BatchNorm2d;
  relu!: ReLU;
  maxpool!: Module;
  readonly stages: Sequential[] = [];
  avgpool!: AdaptiveAvgPool2d;
  fc!: Linear;
  readonly flatten = new Flatten(true);

  protected addStem(stem: Stem, inChannels: number, width: number, owner: string): void {
    if (stem === 'imagenet') {
      this.conv1 = this.addModule('conv1', new Conv2d({ inChannels, outChannels: width, kernelSize: 7, stride: 2, padding: 3, bias: false }));
    } else if (stem === 'small') {
      this.conv1 = this.addModule('conv1', new Conv2d({ inChannels, outChannels: width, kernelSize: 3, padding: 1, bias: false }));
    } else {
      throw new Error(`${owner}: stem must be 'imagenet' or 'small', got '${String(stem)}'`);
    }
    this.bn1 = this.addModule('bn1', new BatchNorm2d(width));
    this.relu = this.addModule('relu', new ReLU());
    this.maxpool = this.addModule('maxpool', stem === 'imagenet' ? new MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 }) : new Identity());
  }

  protected addStage(stage: Sequential): void {
    this.stages.push(this.addModule(`layer${this.stages.length + 1}`, stage));
  }

  protected addHead(features: number, numClasses: number): void {
    this.avgpool = this.addModule('avgpool', new AdaptiveAvgPool2d(1));
    this.fc = this.addModule('fc', new Linear({ inFeatures: features, outFeatures: numClasses }));
  }

  /** Features before the classifier: [N, h, w, C] (GradCAM, CHEX). */
  features(x: tf.Tensor): tf.Tensor {
    return resnetFeatures(this.conv1, this.bn1, this.relu, this.maxpool, this.stages, x);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc.call(this.flatten.call(this.avgpool.call(this.features(x)))));
  }
}

/** A ResNet's features [N,h,w,C]: the stem pool(relu(bn(conv(x)))) (conv → BN → ReLU fused where the backend allows), then each stage. */
export function resnetFeatures(conv: Conv2d, bn: BatchNorm2d, relu: ReLU, pool: Module, stages: readonly Module[], x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let y = pool.call(convBnAct(conv, bn, x, { relu }));
    for (const stage of stages) y = stage.call(y);
    return y;
  });
}
