// Small helpers shared by the PiX method files.
import * as tf from '@tensorflow/tfjs-core';

/**
 * 1 where s[n,c] is among the k largest of its row (ties at the k-th value all kept), else 0; s: [N,C]. Computed
 * inside customGrad so the tape records one node with a zero gradient (TopK has no gradient in tfjs).
 */
export function topKMask(s: tf.Tensor2D, k: number): tf.Tensor2D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor2D;
    const n = x.shape[0];
    const value = tf.tidy(() => {
      const kth = tf.slice(tf.topk(x, k).values, [0, k - 1], [n, 1]);
      return tf.cast(tf.greaterEqual(x, kth), 'float32');
    });
    return { value, gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  });
  return f(s) as tf.Tensor2D;
}
