// VGG (torchvision layout and keys: features.<i>, classifier.0/3/6), with or without BatchNorm.
import * as tf from '@tensorflow/tfjs-core';
import { Flatten, ReLU } from '../nn/activation.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { Dropout } from '../nn/dropout.js';
import { kaimingNormal, normal } from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling.js';

/** Conv widths, 'M' = 2×2 max-pool. Configuration D = VGG-16. */
export const VGG_CFGS: Record<string, Array<number | 'M'>> = {
  vgg11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  vgg19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

export interface VGGConfig {
  numClasses: number;
  inChannels: number;
  cfg: Array<number | 'M'>;
  batchNorm: boolean;
  dropout: number;
  /** 'imagenet': adaptive-pool to 7×7 and the 4096-4096 classifier; 'small': global pool and one Linear (CIFAR). */
  head: 'imagenet' | 'small';
  [key: string]: unknown;
}

export function makeVggFeatures(cfg: Array<number | 'M'>, inChannels: number, batchNorm: boolean): Sequential {
  const features = new Sequential();
  let c = inChannels;
  for (const v of cfg) {
    if (v === 'M') {
      features.append(new MaxPool2d({ kernelSize: 2, stride: 2 }));
      continue;
    }
    features.append(new Conv2d({ inChannels: c, outChannels: v, kernelSize: 3, padding: 1 }));
    if (batchNorm) features.append(new BatchNorm2d(v));
    features.append(new ReLU());
    c = v;
  }
  return features;
}

/**
 * torchvision's VGG init: Kaiming-normal (fan_out, relu) convs with zero bias, BN 1/0, Linear N(0, 0.01) zero bias.
 * Convs in `skip` keep their own init (e.g. PiX predictors).
 */
export function initVggWeights(model: Module, skip: ReadonlySet<Module> = new Set()): void {
  for (const [, m] of model.namedModules()) {
    if (m instanceof Conv2d && !skip.has(m)) {
      m.weight.reset(kaimingNormal(m.weight.shape, { mode: 'fan_out', nonlinearity: 'relu' }));
      m.bias?.reset(tf.zerosLike(m.bias.variable));
    } else if (m instanceof Linear) {
      m.weight.reset(normal(m.weight.shape, 0, 0.01));
      m.bias?.reset(tf.zerosLike(m.bias.variable));
    }
  }
}

/**
 * What every torchvision-shaped VGG shares (VGG, PiX-VGG): `features`, the head (`avgpool`, `classifier`) and
 * forward(). Subclasses register `features` first, then call addHead(), so keys keep torchvision's order.
 */
export abstract class VGGBase extends Module {
  features!: Sequential;
  avgpool!: AdaptiveAvgPool2d;
  classifier!: Sequential;
  readonly flatten = new Flatten(true);

  /** 'imagenet': adaptive-pool to 7×7 and the 4096-4096 classifier; 'small': global pool and one Linear. */
  protected addHead(head: 'imagenet' | 'small', features: number, numClasses: number, dropout: number, owner: string): void {
    if (head === 'imagenet') {
      this.avgpool = this.addModule('avgpool', new AdaptiveAvgPool2d(7));
      this.classifier = this.addModule('classifier', new Sequential(
        new Linear({ inFeatures: features * 7 * 7, outFeatures: 4096 }), new ReLU(), new Dropout(dropout),
        new Linear({ inFeatures: 4096, outFeatures: 4096 }), new ReLU(), new Dropout(dropout),
        new Linear({ inFeatures: 4096, outFeatures: numClasses }),
      ));
    } else if (head === 'small') {
      this.avgpool = this.addModule('avgpool', new AdaptiveAvgPool2d(1));
      this.classifier = this.addModule('classifier', new Sequential(new Linear({ inFeatures: features, outFeatures: numClasses })));
    } else {
      throw new Error(`${owner}: head must be 'imagenet' or 'small', got ${String(head)}`);
    }
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.classifier.call(this.flatten.call(this.avgpool.call(this.features.call(x)))));
  }
}

export class VGG extends VGGBase {
  constructor(readonly config: VGGConfig) {
    super();
    const last = [...config.cfg].reverse().find((v): v is number => v !== 'M') ?? config.inChannels;
    this.features = this.addModule('features', makeVggFeatures(config.cfg, config.inChannels, config.batchNorm));
    this.addHead(config.head, last, config.numClasses, config.dropout, 'VGG');
    initVggWeights(this);
  }
}
