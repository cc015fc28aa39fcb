// The DGC gate rule (docs/methods/dgc.md §1.3): per row (one sample of one head) keep the saliencies strictly greater
// than the row's k-th smallest; ties with it and exact zeros at or below it are dropped. Values only (no gradient
// rule here: the layer wraps it so that no gradient flows through the mask, src/methods/dgc/gate.ts).
import * as tf from '@tensorflow/tfjs-core';

/** k, the channels each row drops: an integer in [0, C]. */
export function checkDropCount(k: number, C: number, owner = 'keepMask'): number {
  if (!Number.isInteger(k) || k < 0 || k > C) throw new Error(`${owner}: k (channels to drop) must be an integer in [0, ${C}], got ${k}`);
  return k;
}

/** 0/1 float mask [R, C] of the entries of g [R, C] above the row's k-th smallest; k = 0 keeps everything. */
export function keepMaskValue(g: tf.Tensor2D, k: number): tf.Tensor2D {
  checkDropCount(k, g.shape[1]);
  return tf.tidy(() => {
    if (k === 0) return tf.onesLike(g);
    const { values } = tf.topk(tf.neg(g), k, false); // the k smallest of g, negated
    const kth = tf.neg(tf.min(values, 1, true)); // [R, 1]: the k-th smallest of g
    return tf.cast(tf.greater(g, kth), 'float32') as tf.Tensor2D;
  });
}
