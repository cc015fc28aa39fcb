// PiX-VGG in network-downscaling mode (supplement Fig. 1 c; docs/methods/pix.md §6) ⚠ INFERRED: torchvision VGG-BN
// (keys features.<i>, classifier.0/3/6; 'small' head: one Linear) with a PiX module inserted before every conv but
// the first, so each conv takes C/ζ input channels (global ζ); PiX comes after the max-pool where one intervenes
// (GAP and fusion on the smaller map). Output widths are unchanged unless `widthMultiplier` < 1 thins them too.
// Also the FBS baseline of the dynamic-pruning comparison (`gate: 'fbs'`): every conv's BN + ReLU replaced by an
// FBS module (BN · top-k saliency, ReLU), keeping k = ceil(C·fbsKeep) channels.
// Init: torchvision's VGG init (Kaiming-normal fan_out convs, zero bias; Linear N(0, 0.01)); PiX predictors Xavier.
import { checkOneOf } from '../../core/check.js';
import { ReLU } from '../../nn/activation.js';
import { BatchNorm2d } from '../../nn/batchnorm.js';
import { Sequential } from '../../nn/container.js';
import { Conv2d } from '../../nn/conv.js';
import type { Module } from '../../nn/module.js';
import { MaxPool2d } from '../../nn/pooling.js';
import type { ModelConfig } from '../../models/registry.js';
import { VGGBase, initVggWeights } from '../../models/vgg.js';
import { FBS } from './fbs.js';
import { PiX } from './pix_module.js';
import { checkVariant, samplerOptions, type PiXVariant } from './resnet_cs.js';

export interface PiXVGGConfig extends ModelConfig, PiXVariant {
  cfg: Array<number | 'M'>;
  /** 'pix' (downscaling / dynamic-pruning PiX) or 'fbs' (FBS baseline, no PiX). */
  gate: 'pix' | 'fbs';
  zeta: number;
  /** Conv output widths are multiplied by this and, when < 1, rounded to a multiple of ζ (default 1). */
  widthMultiplier: number;
  /** FBS: fraction of channels kept per conv. */
  fbsKeep: number;
  dropout: number;
  head: 'imagenet' | 'small';
}

export class PiXVGG extends VGGBase {
  constructor(readonly config: PiXVGGConfig) {
    super();
    const name = 'PiXVGG';
    checkVariant(config, name);
    checkOneOf(config.gate, ['pix', 'fbs'], 'gate', name);
    if (!(config.widthMultiplier > 0 && config.widthMultiplier <= 1)) {
      throw new Error(`${name}: widthMultiplier must be in (0, 1], got ${config.widthMultiplier}`);
    }
    if (!(config.fbsKeep > 0 && config.fbsKeep <= 1)) throw new Error(`${name}: fbsKeep must be in (0, 1], got ${config.fbsKeep}`);
    const z = config.gate === 'pix' ? config.zeta : 1;
    const features = new Sequential();
    let c = config.inChannels;
    let first = true;
    for (const v of config.cfg) {
      if (v === 'M') {
        features.append(new MaxPool2d({ kernelSize: 2, stride: 2 }));
        continue;
      }
      const out = config.widthMultiplier === 1 ? v : Math.max(z, Math.round((v * config.widthMultiplier) / z) * z);
      let inC = c;
      if (!first && config.gate === 'pix') {
        if (c % z !== 0) throw new Error(`${name}: ${c} channels before a conv are not divisible by zeta ${z}`);
        const p = new PiX(samplerOptions(c, z, config));
        features.append(p);
        inC = p.outChannels;
      }
      features.append(new Conv2d({ inChannels: inC, outChannels: out, kernelSize: 3, padding: 1 }));
      if (config.gate === 'fbs') {
        features.append(new FBS({ channels: out, k: Math.max(1, Math.ceil(out * config.fbsKeep)) }));
      } else {
        features.append(new BatchNorm2d(out));
        features.append(new ReLU());
      }
      c = out;
      first = false;
    }
    this.features = this.addModule('features', features);
    this.addHead(config.head, c, config.numClasses, config.dropout, name);
    const skip = new Set<Module>();
    for (const [, m] of this.namedModules()) if (m instanceof PiX) skip.add(m.conv_sqz);
    initVggWeights(this, skip);
  }

}
