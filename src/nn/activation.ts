// Stateless activations.
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';

export class ReLU extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.relu(x);
  }
}

export class Sigmoid extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tanh(x);
  }
}

export class Identity extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

/**
 * Flattens to [N, features]. With `torchOrder` (default) NHWC is first transposed to NCHW so the feature order
 * matches PyTorch's `flatten(1)` and imported classifier weights line up (VGG's 512·7·7 features).
 */
export class Flatten extends Module {
  constructor(readonly torchOrder = true) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const t = this.torchOrder && x.rank === 4 && (x.shape[1] !== 1 || x.shape[2] !== 1) ? tf.transpose(x, [0, 3, 1, 2]) : x;
      return tf.reshape(t, [x.shape[0]!, -1]);
    });
  }
}
