// The DGC gate (docs/methods/dgc.md §1.3, §1.5): per row (one sample of one head) keep the saliencies strictly greater
// than the row's k-th smallest; ties with it and exact zeros at or below it are dropped; kept entries keep their value
// (no 1/keep rescale). The threshold and the mask are computed on a gradient-free copy: the mask is a constant for the
// tape, so gradient reaches g only through the kept entries of g·mask.
import * as tf from '@tensorflow/tfjs-core';

/** k, the channels each row drops: an integer in [0, C]. */
export function checkDropCount(k: number, C: number, owner = 'keepMask'): number {
  if (!Number.isInteger(k) || k < 0 || k > C) throw new Error(`${owner}: k (channels to drop) must be an integer in [0, ${C}], got ${k}`);
  return k;
}

/** 0/1 float mask [R, C] of the entries of g [R, C] above the row's k-th smallest; k = 0 keeps everything. Values only. */
export function keepMaskValue(g: tf.Tensor2D, k: number): tf.Tensor2D {
  checkDropCount(k, g.shape[1]);
  return tf.tidy(() => {
    if (k === 0) return tf.onesLike(g);
    const { values } = tf.topk(tf.neg(g), k, false); // the k smallest of g, negated
    const kth = tf.neg(tf.min(values, 1, true)); // [R, 1]: the k-th smallest of g
    return tf.cast(tf.greater(g, kth), 'float32') as tf.Tensor2D;
  });
}

/** The mask of keepMaskValue with a zero gradient (no gradient flows through the mask). */
export function keepMask(g: tf.Tensor2D, k: number): tf.Tensor2D {
  checkDropCount(k, g.shape[1]);
  const f = tf.customGrad(((x: tf.Tensor2D) => {
    const value = keepMaskValue(x, k);
    return { value, gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(g) as tf.Tensor2D;
}

/** g·mask: kept saliencies keep their value, dropped ones become 0; gradient only through the kept entries. */
export function gateSaliency(g: tf.Tensor2D, k: number): tf.Tensor2D {
  if (k === 0) return g;
  return tf.tidy(() => tf.mul(g, keepMask(g, k)));
}

/** gateSaliency on the rows of g [h, B, C]. */
export function gateHeads(g: tf.Tensor3D, k: number): tf.Tensor3D {
  const [h, B, C] = g.shape;
  return tf.reshape(gateSaliency(tf.reshape(g, [h * B, C]) as tf.Tensor2D, k), [h, B, C]) as tf.Tensor3D;
}
