// dyresnet18 (docs/methods/dgc.md §3.3): torchvision ResNet-18 whose block convs — and the 1×1 downsample convs —
// are DGC layers. chanlab's small DGC bottleneck ResNet (not in the official code: the head-to-head's DGC variant of its
// small ResNet) makes only the 3×3 conv2 of each bottleneck a DGC layer; its 1×1 convs and shortcuts stay torchvision's
// (docs/methods/dgc.md §8.4: with every conv a DGC layer the network barely fits 32 images). Keys: conv1, bn1, layer{L}.{B}.conv1/bn1/conv2/bn2 (conv1/conv2 DGC), layer{2,3,4}.0.downsample.0
// (DGC 1×1) and downsample.1.norm (BN), fc. Every DGC layer runs its own BN → ReLU on its input, so the block input
// is normalised twice (kept for checkpoint compatibility, §7).
import * as tf from '@tensorflow/tfjs-core';
import { ReLU } from '../../nn/activation.js';
import { BatchNorm2d } from '../../nn/batchnorm.js';
import { Sequential } from '../../nn/container.js';
import { Module } from '../../nn/module.js';
import type { ModelConfig } from '../../models/registry.js';
import { ResNetBase, type Stem } from '../../models/resnet_base.js';
import { Conv2d } from '../../nn/conv.js';
import { basicResidual, bottleneckResidual, conv1x1 } from '../../models/resnet.js';
import { withDgcHooks } from './hooks.js';
import { initDgcConvs } from './init.js';
import { DynamicMultiHeadConv } from './layer.js';

export interface DyResNetConfig extends ModelConfig {
  /** 'basic' (ResNet-18, default) or 'bottleneck' (expansion 4, stride on the 3×3 as torchvision) */
  block?: 'basic' | 'bottleneck';
  /** blocks per stage ([2, 2, 2, 2] for ResNet-18) */
  layers: number[];
  /** stage widths, default 64/128/256/512 */
  widths?: number[];
  stem: Stem;
  heads: number;
  gateFactor: number;
  squeezeRate: number;
}

/** The official `Norm_after_downsample`: a BN kept under the key `norm`. */
export class NormAfterDownsample extends Module {
  readonly norm: BatchNorm2d;
  constructor(planes: number) {
    super();
    this.norm = this.addModule('norm', new BatchNorm2d(planes));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.norm.call(x);
  }
}

function dgcConv(c: DyResNetConfig, cin: number, cout: number, k: number, stride: number): DynamicMultiHeadConv {
  return new DynamicMultiHeadConv({
    inChannels: cin, outChannels: cout, kernelSize: k, stride, padding: k === 3 ? 1 : 0,
    heads: c.heads, squeezeRate: c.squeezeRate, gateFactor: c.gateFactor,
  });
}

/** The official shortcut: a DGC 1×1 conv, then NormAfterDownsample (when the shape changes). */
function dgcShortcut(c: DyResNetConfig, inplanes: number, out: number, stride: number): Sequential | null {
  return stride !== 1 || inplanes !== out ? new Sequential(dgcConv(c, inplanes, out, 1, stride), new NormAfterDownsample(out)) : null;
}

export class DyBasicBlock extends Module {
  readonly conv1: DynamicMultiHeadConv;
  readonly bn1: BatchNorm2d;
  readonly relu: ReLU;
  readonly conv2: DynamicMultiHeadConv;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;

  constructor(inplanes: number, planes: number, stride: number, c: DyResNetConfig) {
    super();
    this.conv1 = this.addModule('conv1', dgcConv(c, inplanes, planes, 3, stride));
    this.bn1 = this.addModule('bn1', new BatchNorm2d(planes));
    this.relu = this.addModule('relu', new ReLU());
    this.conv2 = this.addModule('conv2', dgcConv(c, planes, planes, 3, 1));
    this.bn2 = this.addModule('bn2', new BatchNorm2d(planes));
    const down = dgcShortcut(c, inplanes, planes, stride);
    this.downsample = down ? this.addModule('downsample', down) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return basicResidual(this, x);
  }
}

/** torchvision's Bottleneck (expansion 4, stride on the 3×3) whose 3×3 conv2 is a DGC layer; keys as torchvision's. */
export class DyBottleneck extends Module {
  static readonly expansion = 4;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: DynamicMultiHeadConv;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly relu: ReLU;
  readonly downsample: Sequential | null;

  constructor(inplanes: number, planes: number, stride: number, c: DyResNetConfig) {
    super();
    const out = planes * DyBottleneck.expansion;
    this.conv1 = this.addModule('conv1', conv1x1(inplanes, planes));
    this.bn1 = this.addModule('bn1', new BatchNorm2d(planes));
    this.conv2 = this.addModule('conv2', dgcConv(c, planes, planes, 3, stride));
    this.bn2 = this.addModule('bn2', new BatchNorm2d(planes));
    this.conv3 = this.addModule('conv3', conv1x1(planes, out));
    this.bn3 = this.addModule('bn3', new BatchNorm2d(out));
    this.relu = this.addModule('relu', new ReLU());
    const down = stride !== 1 || inplanes !== out;
    this.downsample = down ? this.addModule('downsample', new Sequential(conv1x1(inplanes, out, stride), new BatchNorm2d(out))) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return bottleneckResidual(this, x);
  }
}

/** Has the training loop's DGC hooks (withDgcHooks: setProgress, finishSchedule, auxiliaryLoss, finalReport). */
export class DyResNet extends withDgcHooks(ResNetBase) {

  constructor(readonly config: DyResNetConfig) {
    super();
    const widths = config.widths ?? [64, 128, 256, 512].slice(0, config.layers.length);
    if (!Array.isArray(config.layers) || config.layers.length === 0 || widths.length !== config.layers.length) {
      throw new Error(`DyResNet: layers must be a non-empty array with one entry per width (${widths.length}), got [${String(config.layers)}]`);
    }
    this.addStem(config.stem, config.inChannels, widths[0]!, 'DyResNet');
    const block = config.block ?? 'basic';
    if (block !== 'basic' && block !== 'bottleneck') throw new Error(`DyResNet: block must be 'basic' or 'bottleneck', got '${String(block)}'`);
    const expansion = block === 'bottleneck' ? DyBottleneck.expansion : 1;
    let inplanes = widths[0]!;
    config.layers.forEach((n, s) => {
      const stage = new Sequential();
      for (let i = 0; i < n; i++) {
        const stride = i === 0 && s > 0 ? 2 : 1;
        stage.append(block === 'bottleneck' ? new DyBottleneck(inplanes, widths[s]!, stride, config) : new DyBasicBlock(inplanes, widths[s]!, stride, config));
        inplanes = widths[s]! * expansion;
      }
      this.addStage(stage);
    });
    this.addHead(inplanes, config.numClasses);
    initDgcConvs(this);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    this.inputShape = [...x.shape];
    return super.forward(x);
  }
}
