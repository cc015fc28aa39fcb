// Dropout: zeroes elements with probability p in training and scales survivors by 1/(1−p). The mask is drawn from
// a seeded stream so runs are reproducible.
import * as tf from '@tensorflow/tfjs-core';
import { checkNHWC } from '../core/check.js';
import { initGenerator } from './init.js';
import { Module } from './module.js';

export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
  }
  forward(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return x;
    return tf.dropout(x, this.p, undefined, initGenerator().nextUint32());
  }
}

/**
 * Dropout2d: zeroes whole channels (per sample) of an NHWC tensor. On a [N,1,1,C] map (PiX-ResNet's head) it is
 * element dropout.
 */
export class Dropout2d extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout2d: p must be in [0, 1), got ${p}`);
  }
  forward(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return x;
    checkNHWC(x, null, 'Dropout2d');
    const [n, , , c] = x.shape as number[];
    return tf.dropout(x, this.p, [n!, 1, 1, c!], initGenerator().nextUint32());
  }
}
