// CondenseNet-style DenseNets of the DGC repository (docs/methods/dgc.md §3.2, §3.4), NHWC:
//   features.init_conv: Conv2d(in → 2·g0, 3×3, stride 1 (CIFAR) / 2 (ImageNet), pad 1, no bias)
//   features.denseblock_{b}.denselayer_{l}: conv_1 (C → bottleneck·g, 1×1), conv_2 (BN-ReLU-Conv 3×3, groups
//     group3x3, → g); the output is concat([x, new], channels)
//   features.transition_{b}: AvgPool2d(2) between blocks (no parameters, no compression)
//   head: BN → ReLU → AvgPool2d(poolSize) (fixed kernel) → Linear(nf → classes)
// DyDenseNet: conv_1 is a DGC layer; head modules at the top (bn_last, relu_last, pool_last, classifier).
// StaticDenseNet (the baseline, densenet.py): conv_1 is BN-ReLU-Conv 1×1 with groups group1x1; the head's BN, ReLU and
// pool live in features (norm_last, relu_last, pool_last); every Linear bias starts at 0.
import * as tf from '@tensorflow/tfjs-core';
import { Flatten, ReLU } from '../../nn/activation.js';
import { BatchNorm2d } from '../../nn/batchnorm.js';
import { Sequential } from '../../nn/container.js';
import { Conv2d } from '../../nn/conv.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { AvgPool2d } from '../../nn/pooling.js';
import type { ModelConfig } from '../../models/registry.js';
import { withDgcHooks } from './hooks.js';
import { initDgcConvs } from './init.js';
import { DynamicMultiHeadConv } from './layer.js';
import { PreActConv } from './preact_conv.js';

export interface DenseNetConfig extends ModelConfig {
  /** layers per dense block, e.g. [14, 14, 14] */
  stages: number[];
  /** growth rate per block, e.g. [8, 16, 32] */
  growth: number[];
  bottleneck: number;
  group3x3: number;
  /** init_conv stride: 1 (CIFAR), 2 (ImageNet) */
  stemStride: number;
  /** kernel of the final AvgPool2d: 8 (CIFAR 32 px), 7 (ImageNet 224 px) */
  poolSize: number;
}

export interface DyDenseNetConfig extends DenseNetConfig {
  heads: number;
  gateFactor: number;
  squeezeRate: number;
}

export interface StaticDenseNetConfig extends DenseNetConfig {
  /** groups of the static 1×1 conv (1: DenseNet, 4: CondenseNet-86-like) */
  group1x1: number;
}

function checkConfig(c: DenseNetConfig, owner: string): void {
  if (!Array.isArray(c.stages) || !Array.isArray(c.growth) || c.stages.length === 0 || c.stages.length !== c.growth.length) {
    throw new Error(`${owner}: stages and growth must be non-empty arrays of the same length, got [${String(c.stages)}] and [${String(c.growth)}]`);
  }
  for (const [k, v] of [['bottleneck', c.bottleneck], ['group3x3', c.group3x3], ['stemStride', c.stemStride], ['poolSize', c.poolSize], ['numClasses', c.numClasses], ['inChannels', c.inChannels]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${owner}: ${k} must be a positive integer, got ${String(v)}`);
  }
}

export class DenseLayer extends Module {
  readonly conv_1: Module;
  readonly conv_2: PreActConv;
  constructor(conv1: Module, bottleneckWidth: number, growth: number, group3x3: number) {
    super();
    this.conv_1 = this.addModule('conv_1', conv1);
    this.conv_2 = this.addModule('conv_2', new PreActConv(bottleneckWidth, growth, 3, 1, group3x3));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.concat([x, this.conv_2.call(this.conv_1.call(x))], 3));
  }
}

/** Builds `features` up to the last dense block; returns the final width. */
function buildFeatures(c: DenseNetConfig, features: Sequential, conv1: (C: number, width: number) => Module): number {
  let nf = 2 * c.growth[0]!;
  features.append(new Conv2d({ inChannels: c.inChannels, outChannels: nf, kernelSize: 3, stride: c.stemStride, padding: 1, bias: false }), 'init_conv');
  c.stages.forEach((n, b) => {
    const g = c.growth[b]!;
    const block = new Sequential();
    for (let l = 0; l < n; l++) {
      const C = nf + l * g;
      block.append(new DenseLayer(conv1(C, c.bottleneck * g), c.bottleneck * g, g, c.group3x3), `denselayer_${l + 1}`);
    }
    features.append(block, `denseblock_${b + 1}`);
    nf += n * g;
    if (b < c.stages.length - 1) features.append(new AvgPool2d({ kernelSize: 2, stride: 2 }), `transition_${b + 1}`);
  });
  return nf;
}

/** Has the training loop's DGC hooks (withDgcHooks: setProgress, finishSchedule, auxiliaryLoss, finalReport). */
export class DyDenseNet extends withDgcHooks(Module) {
  readonly features = new Sequential();
  readonly bn_last: BatchNorm2d;
  readonly relu_last = new ReLU();
  readonly pool_last: AvgPool2d;
  readonly classifier: Linear;
  private readonly flatten = new Flatten(true);

  constructor(readonly config: DyDenseNetConfig) {
    super();
    checkConfig(config, 'DyDenseNet');
    this.addModule('features', this.features);
    const nf = buildFeatures(config, this.features, (C, width) => new DynamicMultiHeadConv({
      inChannels: C, outChannels: width, kernelSize: 1, heads: config.heads, squeezeRate: config.squeezeRate, gateFactor: config.gateFactor,
    }));
    this.bn_last = this.addModule('bn_last', new BatchNorm2d(nf));
    this.addModule('relu_last', this.relu_last);
    this.pool_last = this.addModule('pool_last', new AvgPool2d({ kernelSize: config.poolSize }));
    this.classifier = this.addModule('classifier', new Linear({ inFeatures: nf, outFeatures: config.numClasses }));
    initDgcConvs(this);
    this.classifier.bias!.reset(tf.zeros([config.numClasses]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    this.inputShape = [...x.shape];
    return tf.tidy(() => {
      const f = this.pool_last.call(this.relu_last.call(this.bn_last.call(this.features.call(x))));
      return this.classifier.call(this.flatten.call(f));
    });
  }
}

export class StaticDenseNet extends Module {
  readonly features = new Sequential();
  readonly classifier: Linear;
  private readonly flatten = new Flatten(true);

  constructor(readonly config: StaticDenseNetConfig) {
    super();
    checkConfig(config, 'StaticDenseNet');
    if (!Number.isInteger(config.group1x1) || config.group1x1 <= 0) throw new Error(`StaticDenseNet: group1x1 must be a positive integer, got ${String(config.group1x1)}`);
    this.addModule('features', this.features);
    const nf = buildFeatures(config, this.features, (C, width) => new PreActConv(C, width, 1, 0, config.group1x1));
    this.features.append(new BatchNorm2d(nf), 'norm_last');
    this.features.append(new ReLU(), 'relu_last');
    this.features.append(new AvgPool2d({ kernelSize: config.poolSize }), 'pool_last');
    this.classifier = this.addModule('classifier', new Linear({ inFeatures: nf, outFeatures: config.numClasses }));
    initDgcConvs(this);
    this.classifier.bias!.reset(tf.zeros([config.numClasses]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.classifier.call(this.flatten.call(this.features.call(x))));
  }
}
