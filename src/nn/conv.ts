// Conv2d with PyTorch semantics on NHWC tensors: groups, stride, dilation, symmetric (or 'same') padding, bias.
// Weight stored as [kh, kw, in/groups, out]; state dict gives PyTorch's [out, in/groups, kh, kw].
import * as tf from '@tensorflow/tfjs-core';
import { checkChannelGroups, checkNHWC, pair } from '../core/check.js';
import { groupConv2d } from '../ops/group_conv/group_conv.js';
import { defaultBias, defaultWeight } from './init.js';
import { Module } from './module.js';
import { CONV_LAYOUT, Parameter } from './parameter.js';

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number | [number, number];
  stride?: number | [number, number];
  /** Symmetric zero padding per side (PyTorch), or 'same' (stride 1 only; extra pixel on the bottom/right). */
  padding?: number | [number, number] | 'same' | 'valid';
  dilation?: number | [number, number];
  groups?: number;
  bias?: boolean;
}

type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  readonly pad: Pad4;
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(opts: Conv2dOptions) {
    super();
    const name = 'Conv2d';
    [this.inChannels, this.outChannels, this.groups] = checkChannelGroups(opts.inChannels, opts.outChannels, opts.groups ?? 1, 'groups', name);
    this.kernelSize = pair(opts.kernelSize, 'kernelSize', name);
    this.stride = pair(opts.stride ?? 1, 'stride', name);
    this.dilation = pair(opts.dilation ?? 1, 'dilation', name);
    if ((this.stride[0] > 1 || this.stride[1] > 1) && (this.dilation[0] > 1 || this.dilation[1] > 1)) {
      throw new Error(`${name}: stride > 1 with dilation > 1 is not supported by tfjs convolutions`);
    }
    this.pad = this.resolvePadding(opts.padding ?? 0);
    const [kh, kw] = this.kernelSize;
    const shape = [kh, kw, this.inChannels / this.groups, this.outChannels];
    this.weight = this.addParameter('weight', new Parameter(defaultWeight(shape), CONV_LAYOUT));
    this.bias = opts.bias ?? true ? this.addParameter('bias', new Parameter(defaultBias(shape, this.outChannels))) : null;
    if (!this.bias) this.registerParameter('bias', null);
  }

  private resolvePadding(p: number | [number, number] | 'same' | 'valid'): Pad4 {
    if (p === 'valid') return [[0, 0], [0, 0], [0, 0], [0, 0]];
    if (p === 'same') {
      if (this.stride[0] !== 1 || this.stride[1] !== 1) {
        throw new Error("Conv2d: padding 'same' requires stride 1 (as in PyTorch)");
      }
      const total = this.kernelSize.map((k, i) => this.dilation[i]! * (k - 1));
      return [[0, 0], [Math.floor(total[0]! / 2), total[0]! - Math.floor(total[0]! / 2)],
        [Math.floor(total[1]! / 2), total[1]! - Math.floor(total[1]! / 2)], [0, 0]];
    }
    const [ph, pw] = pair(p, 'padding', 'Conv2d', true);
    return [[0, 0], [ph, ph], [pw, pw], [0, 0]];
  }

  /** tfjs pad argument: 'valid' when there is no padding (the fastest path), explicit otherwise. */
  private tfPad(): 'valid' | Pad4 {
    return this.pad.every(([a, b]) => a === 0 && b === 0) ? 'valid' : this.pad;
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkNHWC(x, this.inChannels, 'Conv2d');
    return tf.tidy(() => {
      const x4 = x as tf.Tensor4D;
      const w = this.weight.variable as tf.Tensor4D;
      let y = groupConv2d(x4, w, this.stride, this.tfPad(), this.dilation, this.groups);
      if (this.bias) y = tf.add(y, this.bias.variable);
      return y;
    });
  }
}
