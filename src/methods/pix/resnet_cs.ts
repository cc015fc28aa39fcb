// PiX-ResNet in channel-squeezing mode (docs/methods/pix.md §5), after the official model file `PiX_resnet_cs.py`:
// in every bottleneck the squeeze 1×1 conv + BN + ReLU is replaced by PiX on the block input (ζ = C_in/width: 1,2,2,2
// in each stage's first block, 4 elsewhere); stride on the 3×3 (`conv_ce`); projection (1×1 + BN on the block input)
// in block 0 of every stage; head GAP → Dropout2d → 1×1-conv classifier with bias; Xavier-uniform init for every
// conv, zero conv biases, BN γ=1 β=0. State-dict keys as the official model: conv_stem, bn_stem,
// layer{s}.blocks.{i}.conv_sqz/conv_ce/bn_ce/conv_exp/bn_exp/conv_proj/bn_proj, classifier (240 entries for -50).
//
// Basic blocks (ResNet-18/34, CIFAR ResNet-20) ⚠ INFERRED — the official code has none: a basic block has no 1×1
// squeeze to replace, so PiX is placed on the block input feeding the first 3×3 conv, which takes C_in/ζ channels
// (ζ = 1 in the first block of each stage, where C_in ≤ planes, and 2 elsewhere by default). Keys: conv_sqz, conv1,
// bn1, conv2, bn2, conv_proj, bn_proj; the projection exists only where the shape changes (torchvision's rule).
// With ζ = 1 everywhere every conv has torchvision's shape and PiX acts as an SE-like gate.
import * as tf from '@tensorflow/tfjs-core';
import { checkOneOf, checkPositiveInt } from '../../core/check.js';
import { Identity, ReLU } from '../../nn/activation.js';
import { BatchNorm2d } from '../../nn/batchnorm.js';
import { ModuleList } from '../../nn/container.js';
import { Conv2d } from '../../nn/conv.js';
import { convBnAct } from '../../nn/conv_bn.js';
import { Dropout2d } from '../../nn/dropout.js';
import { xavierUniform } from '../../nn/init.js';
import { Module } from '../../nn/module.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../../nn/pooling.js';
import type { ModelConfig } from '../../models/registry.js';
import { resnetFeatures } from '../../models/resnet_base.js';
import type { PixOptions, PixReduce } from '../../ops/pix/index.js';
import { validateTau, validateZeta } from '../../ops/pix/validate.js';
import { PiXSampler, type PiXActivation, type PiXOptions } from './pix_module.js';
import { SqueezeExcitation } from './se.js';

/** Options shared by every PiX module of a model (the E0–E4 ablation knobs). */
export interface PiXVariant {
  tau: number;
  reduce: PixReduce;
  activation: PiXActivation;
  bnBeforeAct: boolean;
}

export interface PiXResNetConfig extends ModelConfig, PiXVariant {
  block: 'bottleneck' | 'basic';
  /** Blocks per stage, e.g. [3,4,6,3]. */
  layers: number[];
  /** Output channels of each stage (n_op), e.g. [256,512,1024,2048]. */
  outWidths: number[];
  stemWidth: number;
  /** 'imagenet': 7×7/2 conv + 3×3/2 max-pool; 'small': 3×3/1 conv, no pool (28–32 px inputs). */
  stem: 'imagenet' | 'small';
  /** ζ of each stage's first block (official [1,2,2,2]). */
  firstZeta: number[];
  /** ζ of the other blocks (official 4). */
  zeta: number;
  /** Dropout2d before the classifier (official constructor 0.1, main.py 0, README 0.05; docs/methods/pix.md §9 #15). */
  dropRate: number;
  /** Squeeze-and-excitation (r = 16) on the residual branch before the add (paper Table 1 E4, ⚠ inferred placement). */
  se: boolean;
}

function conv(inC: number, outC: number, k: number, stride = 1, bias = false): Conv2d {
  return new Conv2d({ inChannels: inC, outChannels: outC, kernelSize: k, stride, padding: (k - 1) / 2, bias });
}

/** The PiX module options of one block (ResNet builders require C % ζ == 0). */
export function samplerOptions(inChannels: number, zeta: number, v: PiXVariant): PiXOptions {
  return { inChannels, zeta, tau: v.tau, reduce: v.reduce, activation: v.activation, bnBeforeAct: v.bnBeforeAct, requireDivisible: true };
}

/**
 * A residual block that starts with PiX on its input (the sampler's submodules are the block's own) and ends with
 * [SE] + shortcut (conv_proj/bn_proj where present) + add + ReLU.
 */
export abstract class PiXBlock extends PiXSampler {
  se: SqueezeExcitation | null = null;
  conv_proj: Conv2d | null = null;
  bn_proj: BatchNorm2d | null = null;

  protected addShortcut(nIp: number, nOp: number, stride: number, useProjection: boolean, se: boolean): void {
    if (se) this.se = this.addModule('se', new SqueezeExcitation({ channels: nOp, reduction: 16 }));
    if (useProjection) {
      this.conv_proj = this.addModule('conv_proj', conv(nIp, nOp, 1, stride));
      this.bn_proj = this.addModule('bn_proj', new BatchNorm2d(nOp));
    }
  }

  /**
   * The branch's layers: the first conv → BN → ReLU (reading the PiX-squeezed input), the last conv → BN (before
   * [SE] and the add) and the ReLU after the add.
   */
  protected abstract layers(): [Conv2d, BatchNorm2d, ReLU, Conv2d, BatchNorm2d, ReLU];

  forward(ip: tf.Tensor): tf.Tensor {
    const [conv1, bn1, relu1, conv2, bn2, relu2] = this.layers();
    return tf.tidy(() => {
      const sq = this.squeezeInput(ip);
      const x = convBnAct(conv1, bn1, this.squeezed(ip, sq), { relu: relu1, ...sq });
      return this.residual(ip, x, conv2, bn2, relu2);
    });
  }

  /**
   * The squeeze as the first conv's input: PiX is given to convBnAct (fused into the conv's reads at inference on
   * webgpu) unless a hook watches the PiX operator, which then runs as a module.
   */
  private squeezeInput(ip: tf.Tensor): { inputPix: { p: tf.Tensor; options: PixOptions } } | Record<string, never> {
    return this.pix.hooked ? {} : { inputPix: { p: this.probabilities(ip), options: { zeta: this.zeta, tau: this.tau, reduce: this.reduce } } };
  }

  /** The first conv's input where squeezeInput gave none: the PiX module on ip. */
  private squeezed(ip: tf.Tensor, given: object): tf.Tensor {
    return 'inputPix' in given ? ip : this.sample(ip);
  }

  /** relu(shortcut(ip) + se(bn(conv(x)))): conv → BN → add → ReLU fused where the backend allows (src/nn/conv_bn.ts). */
  private residual(ip: tf.Tensor, x: tf.Tensor, conv: Conv2d, bn: BatchNorm2d, relu: ReLU): tf.Tensor {
    const proj = () => (this.conv_proj ? convBnAct(this.conv_proj, this.bn_proj!, ip, { relu: null }) : ip);
    if (!this.se) return convBnAct(conv, bn, x, { relu, residual: proj });
    const branch = this.se.call(bn.call(conv.call(x)));
    return relu.call(tf.add(proj(), branch));
  }
}

/** The official PixBottleneck. x [N,H,W,C_in] → [N,H/s,W/s,C_out]. */
export class PiXBottleneck extends PiXBlock {
  readonly conv_ce: Conv2d;
  readonly bn_ce: BatchNorm2d;
  readonly relu_ce: ReLU;
  readonly conv_exp: Conv2d;
  readonly bn_exp: BatchNorm2d;
  readonly final_relu: ReLU;

  constructor(nIp: number, nOp: number, stride: number, zeta: number, useProjection: boolean, v: PiXVariant, se = false) {
    super();
    this.addSampler(samplerOptions(nIp, zeta, v), 'PiXBottleneck'); // pix, conv_sqz, [bn_sqz], sigmoid_sqz, global_pool
    const G = this.sampledChannels;
    this.conv_ce = this.addModule('conv_ce', conv(G, G, 3, stride));
    this.bn_ce = this.addModule('bn_ce', new BatchNorm2d(G));
    this.relu_ce = this.addModule('relu_ce', new ReLU());
    this.conv_exp = this.addModule('conv_exp', conv(G, nOp, 1));
    this.bn_exp = this.addModule('bn_exp', new BatchNorm2d(nOp));
    this.final_relu = this.addModule('final_relu', new ReLU());
    this.addShortcut(nIp, nOp, stride, useProjection, se);
  }

  protected layers(): [Conv2d, BatchNorm2d, ReLU, Conv2d, BatchNorm2d, ReLU] {
    return [this.conv_ce, this.bn_ce, this.relu_ce, this.conv_exp, this.bn_exp, this.final_relu];
  }
}

/** ⚠ Inferred basic block: PiX (C_in → C_in/ζ) → 3×3 (stride) → BN → ReLU → 3×3 → BN, + shortcut, ReLU. */
export class PiXBasicBlock extends PiXBlock {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu: ReLU;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;

  constructor(nIp: number, nOp: number, stride: number, zeta: number, v: PiXVariant, se = false) {
    super();
    this.addSampler(samplerOptions(nIp, zeta, v), 'PiXBasicBlock');
    this.conv1 = this.addModule('conv1', conv(this.sampledChannels, nOp, 3, stride));
    this.bn1 = this.addModule('bn1', new BatchNorm2d(nOp));
    this.relu = this.addModule('relu', new ReLU());
    this.conv2 = this.addModule('conv2', conv(nOp, nOp, 3));
    this.bn2 = this.addModule('bn2', new BatchNorm2d(nOp));
    this.addShortcut(nIp, nOp, stride, stride !== 1 || nIp !== nOp, se);
  }

  protected layers(): [Conv2d, BatchNorm2d, ReLU, Conv2d, BatchNorm2d, ReLU] {
    return [this.conv1, this.bn1, this.relu, this.conv2, this.bn2, this.relu];
  }
}

/** `PiXResNet_stage`: a `blocks` ModuleList run in order. */
export class PiXResNetStage extends Module {
  readonly blocks: ModuleList;
  constructor(blocks: PiXBlock[]) {
    super();
    this.blocks = this.addModule('blocks', new ModuleList(blocks));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.blocks.items.reduce((y, b) => b.call(y), x));
  }
}

/** Checks the global ζ and the E0–E4 knobs of a PiX model config (reduce is checked by each PiX module). */
export function checkVariant(c: PiXVariant & { zeta: number }, owner: string): void {
  validateZeta(c.zeta, owner);
  validateTau(c.tau, owner);
  checkOneOf(c.activation, ['sigmoid', 'tanh'], 'activation', owner);
  if (typeof c.bnBeforeAct !== 'boolean') throw new Error(`${owner}: bnBeforeAct must be a boolean, got ${String(c.bnBeforeAct)}`);
}

export class PiXResNet extends Module {
  readonly config: PiXResNetConfig;
  readonly conv_stem: Conv2d;
  readonly bn_stem: BatchNorm2d;
  readonly relu_stem: ReLU;
  readonly pool: Module;
  readonly stages: PiXResNetStage[] = [];
  readonly classifier: Conv2d;
  readonly gp: AdaptiveAvgPool2d;
  readonly dropout: Dropout2d;

  constructor(config: PiXResNetConfig) {
    super();
    const name = 'PiXResNet';
    this.config = config;
    const { layers, outWidths, firstZeta } = config;
    if (!Array.isArray(layers) || layers.length === 0 || layers.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new Error(`${name}: layers must be a non-empty list of positive integers, got ${JSON.stringify(layers)}`);
    }
    if (outWidths.length !== layers.length || firstZeta.length !== layers.length) {
      throw new Error(`${name}: layers (${layers.length}), outWidths (${outWidths.length}) and firstZeta (${firstZeta.length}) must have the same length`);
    }
    checkOneOf(config.block, ['bottleneck', 'basic'], 'block', name);
    checkVariant(config, name);
    firstZeta.forEach((z) => validateZeta(z, `${name} firstZeta`));
    checkPositiveInt(config.stemWidth, 'stemWidth', name);
    const imagenet = checkOneOf(config.stem, ['imagenet', 'small'], 'stem', name) === 'imagenet';
    this.conv_stem = this.addModule('conv_stem', imagenet ? conv(config.inChannels, config.stemWidth, 7, 2) : conv(config.inChannels, config.stemWidth, 3, 1));
    this.bn_stem = this.addModule('bn_stem', new BatchNorm2d(config.stemWidth));
    this.relu_stem = this.addModule('relu_stem', new ReLU());
    this.pool = this.addModule('pool', imagenet ? new MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 }) : new Identity());
    let nIp = config.stemWidth;
    layers.forEach((n, s) => {
      const nOp = outWidths[s]!;
      const blocks: PiXBlock[] = [];
      for (let i = 0; i < n; i++) {
        const stride = i === 0 && s > 0 ? 2 : 1;
        const zeta = i === 0 ? firstZeta[s]! : config.zeta;
        const inC = i === 0 ? nIp : nOp;
        if (inC % zeta !== 0) {
          throw new Error(`${name}: layer${s + 1}.blocks.${i} has ${inC} input channels, not divisible by zeta ${zeta}`);
        }
        blocks.push(config.block === 'bottleneck'
          ? new PiXBottleneck(inC, nOp, stride, zeta, i === 0, config, config.se)
          : new PiXBasicBlock(inC, nOp, stride, zeta, config, config.se));
      }
      this.stages.push(this.addModule(`layer${s + 1}`, new PiXResNetStage(blocks)));
      nIp = nOp;
    });
    this.classifier = this.addModule('classifier', conv(nIp, config.numClasses, 1, 1, true));
    this.gp = this.addModule('gp', new AdaptiveAvgPool2d(1));
    this.dropout = this.addModule('dropout', new Dropout2d(config.dropRate));
    this.initWeights();
  }

  /** Official init: Xavier-uniform (gain 1) for every Conv2d, conv biases 0; BN already γ=1, β=0. */
  private initWeights(): void {
    for (const [, m] of this.namedModules()) {
      if (m instanceof Conv2d) {
        m.weight.reset(xavierUniform(m.weight.shape));
        m.bias?.reset(tf.zerosLike(m.bias.variable));
      }
    }
  }

  /** Every block with its name, e.g. ['layer2.blocks.0', its sampler: C_in 256, ζ 2]; each block is its PiX sampler. */
  pixModules(): Array<[string, PiXBlock]> {
    const out: Array<[string, PiXBlock]> = [];
    this.stages.forEach((st, s) => st.blocks.items.forEach((b, i) => {
      out.push([`layer${s + 1}.blocks.${i}`, b as PiXBlock]);
    }));
    return out;
  }

  /** Features before the head: [N,h,w,C_last]. */
  features(x: tf.Tensor): tf.Tensor {
    return resnetFeatures(this.conv_stem, this.bn_stem, this.relu_stem, this.pool, this.stages, x);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const y = this.classifier.call(this.dropout.call(this.gp.call(this.features(x))));
      return tf.reshape(y, [x.shape[0]!, this.config.numClasses]);
    });
  }
}
