// PiX-ResNet in network-downscaling mode (supplement Fig. 1 b/c; docs/methods/pix.md §6) ⚠ INFERRED — the official code
// implements neither this nor the dynamic-pruning mode, and the figure was not available. Construction chosen here:
// torchvision ResNet (keys conv1, bn1, layer{s}.{i}.conv1/bn1/…/downsample.0/1, fc) with a PiX module **inserted** on
// every block input (key `layer{s}.{i}.pix.conv_sqz.weight`), so the block's first conv takes C_in/ζ channels
// (global ζ); everything else keeps torchvision's widths, and the shortcut still sees the full block input.
// Init: torchvision's (Kaiming-normal fan_out convs) for the body, Xavier-uniform for the PiX predictors.
// The dynamic-pruning configuration (Fig. 1 c/d) is this same construction used as a drop-in for channel gating
// (e.g. at ζ = 2 against FBS); the registry names it separately.
import * as tf from '@tensorflow/tfjs-core';
import { ReLU } from '../../nn/activation.js';
import { BatchNorm2d } from '../../nn/batchnorm.js';
import { Sequential } from '../../nn/container.js';
import { Conv2d } from '../../nn/conv.js';
import { kaimingNormal } from '../../nn/init.js';
import { Module } from '../../nn/module.js';
import type { ModelConfig } from '../../models/registry.js';
import { ResNetBase } from '../../models/resnet_base.js';
import { checkOneOf } from '../../core/check.js';
import { PiX } from './pix_module.js';
import { checkVariant, samplerOptions, type PiXVariant } from './resnet_cs.js';

export interface PiXDSResNetConfig extends ModelConfig, PiXVariant {
  block: 'bottleneck' | 'basic';
  layers: number[];
  /** Stage planes (torchvision 64,128,256,512; bottleneck outputs are 4×). */
  widths: number[];
  stem: 'imagenet' | 'small';
  /** Global ζ of every inserted PiX module. */
  zeta: number;
}

function conv(inC: number, outC: number, k: number, stride = 1): Conv2d {
  return new Conv2d({ inChannels: inC, outChannels: outC, kernelSize: k, stride, padding: (k - 1) / 2, bias: false });
}

export class PiXDSBlock extends Module {
  readonly pix: PiX;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  /** Bottleneck only. */
  readonly conv3: Conv2d | null = null;
  readonly bn3: BatchNorm2d | null = null;
  readonly relu: ReLU;
  readonly downsample: Sequential | null;

  constructor(kind: 'basic' | 'bottleneck', inplanes: number, planes: number, stride: number, zeta: number, v: PiXVariant) {
    super();
    const exp = kind === 'basic' ? 1 : 4;
    this.pix = this.addModule('pix', new PiX(samplerOptions(inplanes, zeta, v)));
    const g = this.pix.outChannels;
    const basic = kind === 'basic';
    this.conv1 = this.addModule('conv1', basic ? conv(g, planes, 3, stride) : conv(g, planes, 1));
    this.bn1 = this.addModule('bn1', new BatchNorm2d(planes));
    this.conv2 = this.addModule('conv2', basic ? conv(planes, planes, 3) : conv(planes, planes, 3, stride));
    this.bn2 = this.addModule('bn2', new BatchNorm2d(planes));
    if (!basic) {
      this.conv3 = this.addModule('conv3', conv(planes, planes * 4, 1));
      this.bn3 = this.addModule('bn3', new BatchNorm2d(planes * 4));
    }
    this.relu = this.addModule('relu', new ReLU());
    const needDown = stride !== 1 || inplanes !== planes * exp;
    this.downsample = needDown ? this.addModule('downsample', new Sequential(conv(inplanes, planes * exp, 1, stride), new BatchNorm2d(planes * exp))) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let y = this.relu.call(this.bn1.call(this.conv1.call(this.pix.call(x))));
      y = this.bn2.call(this.conv2.call(y));
      if (this.conv3) y = this.bn3!.call(this.conv3.call(this.relu.call(y)));
      const identity = this.downsample ? this.downsample.call(x) : x;
      return this.relu.call(tf.add(y, identity));
    });
  }
}

export class PiXDSResNet extends ResNetBase {
  constructor(readonly config: PiXDSResNetConfig) {
    super();
    const name = 'PiXDSResNet';
    checkVariant(config, name);
    if (config.widths.length !== config.layers.length) {
      throw new Error(`${name}: widths (${config.widths.length}) and layers (${config.layers.length}) must have the same length`);
    }
    checkOneOf(config.block, ['bottleneck', 'basic'], 'block', name);
    const exp = config.block === 'basic' ? 1 : 4;
    const stemW = config.widths[0]!;
    this.addStem(config.stem, config.inChannels, stemW, name);
    let inplanes = stemW;
    config.layers.forEach((n, s) => {
      const planes = config.widths[s]!;
      const stage = new Sequential();
      for (let i = 0; i < n; i++) {
        if (inplanes % config.zeta !== 0) {
          throw new Error(`${name}: layer${s + 1}.${i} has ${inplanes} input channels, not divisible by zeta ${config.zeta}`);
        }
        stage.append(new PiXDSBlock(config.block, inplanes, planes, i === 0 && s > 0 ? 2 : 1, config.zeta, config));
        inplanes = planes * exp;
      }
      this.addStage(stage);
    });
    this.addHead(inplanes, config.numClasses);
    const pixConvs = new Set<Module>();
    for (const [, m] of this.namedModules()) if (m instanceof PiX) pixConvs.add(m.conv_sqz);
    for (const [, m] of this.namedModules()) {
      if (m instanceof Conv2d && !pixConvs.has(m)) m.weight.reset(kaimingNormal(m.weight.shape, { mode: 'fan_out', nonlinearity: 'relu' }));
    }
  }
}
