// ResNet (torchvision layout and state-dict keys: conv1, bn1, layer1..4, fc; blocks conv1/bn1/…/downsample.0/1),
// with an ImageNet stem (7×7/2 + max-pool) or a small-input stem (3×3/1, no max-pool) for CIFAR / Fashion-MNIST.
import * as tf from '@tensorflow/tfjs-core';
import { ReLU } from '../nn/activation.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { convBnAct, shortcut } from '../nn/conv_bn.js';
import { kaimingNormal } from '../nn/init.js';
import { Module } from '../nn/module.js';
import { ResNetBase, type Stem } from './resnet_base.js';

export type { Stem } from './resnet_base.js';

export function conv3x3(inC: number, outC: number, stride = 1, groups = 1, dilation = 1): Conv2d {
  return new Conv2d({ inChannels: inC, outChannels: outC, kernelSize: 3, stride, padding: dilation, groups, dilation, bias: false });
}

export function conv1x1(inC: number, outC: number, stride = 1): Conv2d {
  return new Conv2d({ inChannels: inC, outChannels: outC, kernelSize: 1, stride, bias: false });
}

export interface BlockOptions {
  inplanes: number;
  planes: number;
  stride: number;
  downsample: Module | null;
  groups: number;
  baseWidth: number;
  /** Per-conv widths overriding the derived ones (compact pruned nets, e.g. CHEX cfg): basic [conv1], bottleneck [conv1, conv2]. */
  inner?: number[];
  /** Block output width, default planes × expansion. */
  outplanes?: number;
}

export class BasicBlock extends Module {
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu: ReLU;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Module | null;

  constructor(o: BlockOptions) {
    super();
    if (o.groups !== 1 || o.baseWidth !== 64) throw new Error('BasicBlock: only groups=1 and baseWidth=64 are supported');
    const mid = o.inner?.[0] ?? o.planes;
    const out = o.outplanes ?? o.planes;
    this.conv1 = this.addModule('conv1', conv3x3(o.inplanes, mid, o.stride));
    this.bn1 = this.addModule('bn1', new BatchNorm2d(mid));
    this.relu = this.addModule('relu', new ReLU());
    this.conv2 = this.addModule('conv2', conv3x3(mid, out));
    this.bn2 = this.addModule('bn2', new BatchNorm2d(out));
    this.downsample = o.downsample ? this.addModule('downsample', o.downsample) : null;
  }

  /** The last BN of the residual branch (zero-init target). */
  get lastBn(): BatchNorm2d {
    return this.bn2;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return basicResidual(this, x);
  }
}

/** The parts of a basic block, whatever its convolutions are (plain Conv2d here, DGC layers in DyResNet). */
export interface BasicResidualParts {
  conv1: Module;
  bn1: Module;
  relu: Module;
  conv2: Module;
  bn2: Module;
  downsample: Module | null;
}

/** torchvision's BasicBlock computation: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), each conv → BN →
 *  [add] → ReLU fused where the backend allows (src/nn/conv_bn.ts). */
export function basicResidual(b: BasicResidualParts, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const out = convBnAct(b.conv1, b.bn1, x, { relu: b.relu });
    return convBnAct(b.conv2, b.bn2, out, { relu: 'relu', residual: () => shortcut(b.downsample, x) });
  });
}

/** torchvision's Bottleneck (ResNet v1.5: stride on the 3×3). */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly relu: ReLU;
  readonly downsample: Module | null;

  constructor(o: BlockOptions) {
    super();
    const width = Math.floor(o.planes * (o.baseWidth / 64)) * o.groups;
    const [c1, c2] = [o.inner?.[0] ?? width, o.inner?.[1] ?? width];
    const out = o.outplanes ?? o.planes * Bottleneck.expansion;
    this.conv1 = this.addModule('conv1', conv1x1(o.inplanes, c1));
    this.bn1 = this.addModule('bn1', new BatchNorm2d(c1));
    this.conv2 = this.addModule('conv2', conv3x3(c1, c2, o.stride, o.groups));
    this.bn2 = this.addModule('bn2', new BatchNorm2d(c2));
    this.conv3 = this.addModule('conv3', conv1x1(c2, out));
    this.bn3 = this.addModule('bn3', new BatchNorm2d(out));
    this.relu = this.addModule('relu', new ReLU());
    this.downsample = o.downsample ? this.addModule('downsample', o.downsample) : null;
  }

  get lastBn(): BatchNorm2d {
    return this.bn3;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return bottleneckResidual(this, x);
  }
}

/** The parts of a bottleneck block, whatever its convolutions are (plain Conv2d here, DGC layers in DyResNet). */
export interface BottleneckResidualParts extends BasicResidualParts {
  conv3: Module;
  bn3: Module;
  /** A gate on the residual branch before the add (SE-ResNet's `se`), when present. */
  se?: Module | null;
}

/** torchvision's Bottleneck computation: relu([se](bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x))))))))) + shortcut(x)),
 *  each conv → BN → [add] → ReLU fused where the backend allows (src/nn/conv_bn.ts). */
export function bottleneckResidual(b: BottleneckResidualParts, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let out = convBnAct(b.conv1, b.bn1, x, { relu: b.relu });
    out = convBnAct(b.conv2, b.bn2, out, { relu: b.relu });
    if (!b.se) return convBnAct(b.conv3, b.bn3, out, { relu: 'relu', residual: () => shortcut(b.downsample, x) });
    out = b.se.call(b.bn3.call(b.conv3.call(out)));
    return tf.relu(tf.add(out, shortcut(b.downsample, x)));
  });
}

export type BlockKind = 'basic' | 'bottleneck';

export interface ResNetConfig {
  numClasses: number;
  inChannels: number;
  block: BlockKind;
  layers: number[];
  /** Stage widths (planes); torchvision: 64,128,256,512. */
  widths?: number[];
  stem: Stem;
  /** Stem output channels (64 in torchvision). */
  stemWidth?: number;
  groups?: number;
  widthPerGroup?: number;
  zeroInitResidual?: boolean;
  [key: string]: unknown;
}

export class ResNet extends ResNetBase {
  readonly config: ResNetConfig;

  constructor(config: ResNetConfig) {
    super();
    this.config = config;
    const widths = config.widths ?? [64, 128, 256, 512].slice(0, config.layers.length);
    if (widths.length !== config.layers.length) {
      throw new Error(`ResNet: widths (${widths.length}) and layers (${config.layers.length}) must have the same length`);
    }
    const stemWidth = config.stemWidth ?? widths[0]!;
    const Block = config.block === 'basic' ? BasicBlock : Bottleneck;
    const groups = config.groups ?? 1;
    const baseWidth = config.widthPerGroup ?? 64;
    this.addStem(config.stem, config.inChannels, stemWidth, 'ResNet');
    let inplanes = stemWidth;
    config.layers.forEach((n, s) => {
      const planes = widths[s]!;
      const stride = s === 0 ? 1 : 2;
      const stage = new Sequential();
      for (let i = 0; i < n; i++) {
        const st = i === 0 ? stride : 1;
        const needDown = i === 0 && (st !== 1 || inplanes !== planes * Block.expansion);
        const downsample = needDown ? new Sequential(conv1x1(inplanes, planes * Block.expansion, st), new BatchNorm2d(planes * Block.expansion)) : null;
        stage.append(this.createBlock(config.block, { inplanes, planes, stride: st, downsample, groups, baseWidth }));
        inplanes = planes * Block.expansion;
      }
      this.addStage(stage);
    });
    this.addHead(inplanes, config.numClasses);
    this.initWeights(config.zeroInitResidual ?? false);
  }

  /** One block of a stage (a subclass may return a variant with the same widths, e.g. SE-ResNet's). */
  protected createBlock(kind: BlockKind, o: BlockOptions): Module {
    return kind === 'basic' ? new BasicBlock(o) : new Bottleneck(o);
  }

  /** torchvision's init: Kaiming-normal (fan_out, relu) convs, BN γ=1 β=0, fc left at PyTorch's default. */
  private initWeights(zeroInitResidual: boolean): void {
    for (const [, m] of this.namedModules()) {
      if (m instanceof Conv2d) m.weight.reset(kaimingNormal(m.weight.shape, { mode: 'fan_out', nonlinearity: 'relu' }));
      if (zeroInitResidual && (m instanceof BasicBlock || m instanceof Bottleneck)) {
        const bn = m.lastBn;
        bn.weight?.reset(tf.zerosLike(bn.weight.variable));
      }
    }
  }
}
