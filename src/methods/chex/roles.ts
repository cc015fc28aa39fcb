// Prunable layers of a ResNet and their roles (docs/methods/chex.md §1.6), found by walking the block structure
// (stages → BasicBlock/Bottleneck), never by conv indices and never touching block outputs (the residual stream):
//   IN1  block conv1           → masks its BN bn1 and the input columns of conv2
//   IN2  bottleneck conv2      → masks bn2 and the input columns of conv3
//   SKIP downsample.0          → masks downsample.1; no consumer (its output joins the residual sum)
// The stem, OUT convs (bottleneck conv3 / basic conv2) and fc are never output-masked.
import { BatchNorm2d } from '../../nn/batchnorm.js';
import { Sequential } from '../../nn/container.js';
import { Conv2d } from '../../nn/conv.js';
import type { Module } from '../../nn/module.js';
import { BasicBlock, Bottleneck } from '../../models/resnet.js';
import { ResNetBase } from '../../models/resnet_base.js';

export type Role = 'IN1' | 'IN2' | 'SKIP';

export interface PrunableLayer {
  /** state-dict prefix of the conv, e.g. `layer1.0.conv1` */
  name: string;
  role: Role;
  conv: Conv2d;
  /** state-dict prefix of the BN after it */
  bnName: string;
  bn: BatchNorm2d;
  /** conv whose input columns follow this layer's mask (null for SKIP) */
  consumerName: string | null;
  consumer: Conv2d | null;
  /** output channels C */
  channels: number;
}

function skipParts(down: Module | null, where: string): [Conv2d, BatchNorm2d] | null {
  if (!down) return null;
  if (!(down instanceof Sequential) || down.length !== 2 || !(down.at(0) instanceof Conv2d) || !(down.at(1) instanceof BatchNorm2d)) {
    throw new Error(`CHEX roles: ${where}.downsample must be Sequential(Conv2d, BatchNorm2d)`);
  }
  return [down.at(0) as Conv2d, down.at(1) as BatchNorm2d];
}

/** Prunable layers in module order (per block IN1, IN2, SKIP). `includeSkip` false leaves downsample convs alone. */
export function prunableLayers(model: Module, includeSkip = true): PrunableLayer[] {
  if (!(model instanceof ResNetBase)) {
    throw new Error(`grow-prune: model must be a ResNet (torchvision or CHEX ResNet with stages of BasicBlock/Bottleneck), got ${model.typeName}`);
  }
  const out: PrunableLayer[] = [];
  const add = (name: string, role: Role, conv: Conv2d, bnName: string, bn: BatchNorm2d, consumerName: string | null, consumer: Conv2d | null) =>
    out.push({ name, role, conv, bnName, bn, consumerName, consumer, channels: conv.outChannels });
  model.stages.forEach((stage, s) => {
    for (let b = 0; b < stage.length; b++) {
      const blk = stage.at(b);
      const p = `layer${s + 1}.${b}.`;
      if (blk instanceof Bottleneck) {
        add(`${p}conv1`, 'IN1', blk.conv1, `${p}bn1`, blk.bn1, `${p}conv2`, blk.conv2);
        add(`${p}conv2`, 'IN2', blk.conv2, `${p}bn2`, blk.bn2, `${p}conv3`, blk.conv3);
      } else if (blk instanceof BasicBlock) {
        add(`${p}conv1`, 'IN1', blk.conv1, `${p}bn1`, blk.bn1, `${p}conv2`, blk.conv2);
      } else {
        throw new Error(`grow-prune: ${p.slice(0, -1)} is a ${blk.typeName}, expected BasicBlock or Bottleneck`);
      }
      const groups = blk instanceof Bottleneck ? blk.conv2.groups : 1;
      if (groups !== 1) throw new Error(`grow-prune: ${p}conv2 is grouped (groups ${groups}); only groups = 1 ResNets are supported`);
      const skip = includeSkip ? skipParts(blk.downsample, p.slice(0, -1)) : null;
      if (skip) add(`${p}downsample.0`, 'SKIP', skip[0], `${p}downsample.1`, skip[1], null, null);
    }
  });
  if (out.length === 0) throw new Error('grow-prune: the model has no prunable layers (no residual blocks)');
  return out;
}
