// Pooling layers with PyTorch semantics (symmetric padding, floor output size) on NHWC tensors.
import * as tf from '@tensorflow/tfjs-core';
import { checkNHWC, pair } from '../core/check.js';
import { Module } from './module.js';

export interface Pool2dOptions {
  kernelSize: number | [number, number];
  stride?: number | [number, number];
  padding?: number | [number, number];
}

/** What MaxPool2d and AvgPool2d share: kernel, stride (default: the kernel) and symmetric padding per side. */
export abstract class Pool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  constructor(opts: Pool2dOptions, owner: string) {
    super();
    this.kernelSize = pair(opts.kernelSize, 'kernelSize', owner);
    this.stride = pair(opts.stride ?? opts.kernelSize, 'stride', owner);
    this.padding = pair(opts.padding ?? 0, 'padding', owner, true);
  }
}

/** MaxPool2d: padded cells never win (−∞ padding), like PyTorch. */
export class MaxPool2d extends Pool2d {
  constructor(opts: Pool2dOptions) {
    super(opts, 'MaxPool2d');
    if (this.padding[0] * 2 > this.kernelSize[0] || this.padding[1] * 2 > this.kernelSize[1]) {
      throw new Error('MaxPool2d: padding must be at most half the kernel size (as in PyTorch)');
    }
  }
  forward(x: tf.Tensor): tf.Tensor {
    checkNHWC(x, null, 'MaxPool2d');
    const [ph, pw] = this.padding;
    const pad = ph === 0 && pw === 0 ? 'valid' : ([[0, 0], [ph, ph], [pw, pw], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]]);
    return tf.maxPool(x as tf.Tensor4D, this.kernelSize, this.stride, pad);
  }
}

/** AvgPool2d; with padding, padded zeros count in the average (PyTorch's count_include_pad=True default). */
export class AvgPool2d extends Pool2d {
  constructor(opts: Pool2dOptions) {
    super(opts, 'AvgPool2d');
  }
  forward(x: tf.Tensor): tf.Tensor {
    checkNHWC(x, null, 'AvgPool2d');
    return tf.tidy(() => {
      const [ph, pw] = this.padding;
      const xp = ph || pw ? tf.pad(x, [[0, 0], [ph, ph], [pw, pw], [0, 0]]) : x;
      return tf.avgPool(xp as tf.Tensor4D, this.kernelSize, this.stride, 'valid');
    });
  }
}

/** AdaptiveAvgPool2d with PyTorch's bins: start = ⌊i·H/out⌋, end = ⌈(i+1)·H/out⌉. */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: [number, number];
  constructor(outputSize: number | [number, number]) {
    super();
    this.outputSize = pair(outputSize, 'outputSize', 'AdaptiveAvgPool2d');
  }
  forward(x: tf.Tensor): tf.Tensor {
    checkNHWC(x, null, 'AdaptiveAvgPool2d');
    const [oh, ow] = this.outputSize;
    const [n, h, w, c] = x.shape as number[];
    // an empty batch: tfjs-wasm's Mean divides by zero on it ("divide by zero"); the result is simply empty
    if (n === 0) return tf.zeros([0, oh, ow, c!], x.dtype);
    if (oh === 1 && ow === 1) return tf.mean(x, [1, 2], true);
    if (h! % oh === 0 && w! % ow === 0) {
      const k: [number, number] = [h! / oh, w! / ow];
      return tf.avgPool(x as tf.Tensor4D, k, k, 'valid');
    }
    return tf.tidy(() => {
      const rows: tf.Tensor[] = [];
      for (let i = 0; i < oh; i++) {
        const h0 = Math.floor((i * h!) / oh);
        const h1 = Math.ceil(((i + 1) * h!) / oh);
        const cols: tf.Tensor[] = [];
        for (let j = 0; j < ow; j++) {
          const w0 = Math.floor((j * w!) / ow);
          const w1 = Math.ceil(((j + 1) * w!) / ow);
          cols.push(tf.mean(tf.slice(x, [0, h0, w0, 0], [-1, h1 - h0, w1 - w0, -1]), [1, 2], true));
        }
        rows.push(tf.concat(cols, 2));
      }
      return tf.concat(rows, 1);
    });
  }
}
