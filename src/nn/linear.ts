// Linear (fully connected) layer: y = x·W + b. Weight stored [in, out]; PyTorch's state dict has [out, in].
import * as tf from '@tensorflow/tfjs-core';
import { checkPositiveInt } from '../core/check.js';
import { defaultBias, defaultWeight } from './init.js';
import { Module } from './module.js';
import { LINEAR_LAYOUT, Parameter } from './parameter.js';

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  bias?: boolean;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(opts: LinearOptions) {
    super();
    this.inFeatures = checkPositiveInt(opts.inFeatures, 'inFeatures', 'Linear');
    this.outFeatures = checkPositiveInt(opts.outFeatures, 'outFeatures', 'Linear');
    const shape = [this.inFeatures, this.outFeatures];
    this.weight = this.addParameter('weight', new Parameter(defaultWeight(shape), LINEAR_LAYOUT));
    this.bias = opts.bias ?? true ? this.addParameter('bias', new Parameter(defaultBias(shape, this.outFeatures))) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new Error(`Linear: input must be [N, ${this.inFeatures}], got [${x.shape.join(',')}]`);
    }
    return tf.tidy(() => {
      const y = tf.matMul(x as tf.Tensor2D, this.weight.variable as tf.Tensor2D);
      return this.bias ? tf.add(y, this.bias.variable) : y;
    });
  }
}
