// Dropout: zeroes elements with probability p in training and scales survivors by 1/(1−p). The mask is drawn from
// a seeded stream so runs are reproducible.
import * as tf from '@tensorflow/tfjs-core';
import { checkNHWC } from '../core/check.js';
import { initGenerator } from './init.js';
import { Module } from './module.js';

/** What Dropout and Dropout2d share: p in [0, 1), identity in eval mode or at p = 0, a seeded mask in training. */
export abstract class DropoutBase extends Module {
  constructor(readonly p: number, owner: string) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`${owner}: p must be in [0, 1), got ${p}`);
  }
  /** tf.dropout's noiseShape for x: undefined drops single elements. */
  protected abstract noiseShape(x: tf.Tensor): number[] | undefined;
  forward(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return x;
    return tf.dropout(x, this.p, this.noiseShape(x), initGenerator().nextUint32());
  }
}

export class Dropout extends DropoutBase {
  constructor(p = 0.5) {
    super(p, 'Dropout');
  }
  protected noiseShape(): undefined {
    return undefined;
  }
}

/**
 * Dropout2d: zeroes whole channels (per sample) of an NHWC tensor. On a [N,1,1,C] map (PiX-ResNet's head) it is
 * element dropout.
 */
export class Dropout2d extends DropoutBase {
  constructor(p = 0.5) {
    super(p, 'Dropout2d');
  }
  protected noiseShape(x: tf.Tensor): number[] {
    checkNHWC(x, null, 'Dropout2d');
    const [n, , , c] = x.shape as number[];
    return [n!, 1, 1, c!];
  }
}
