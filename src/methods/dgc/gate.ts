// The DGC gate (docs/methods/dgc.md §1.3, §1.5): per row (one sample of one head) drop every saliency that is ≤ the
// k-th smallest (the rule: keepMaskValue, src/ops/dgc/gate.ts), keep the others at their value. The threshold and the
// mask are computed on a gradient-free copy:
// the mask is a constant for the tape, so gradient reaches g only through the kept entries of g·mask.
import * as tf from '@tensorflow/tfjs-core';
import { checkDropCount, keepMaskValue } from '../../ops/dgc/gate.js';

/**
 * 0/1 float mask [R, C] of the entries of g [R, C] strictly greater than the row's k-th smallest value (ties with it
 * and exact zeros at or below it are dropped). k = 0 keeps everything. No gradient flows through the mask.
 */
export function keepMask(g: tf.Tensor2D, k: number): tf.Tensor2D {
  checkDropCount(k, g.shape[1]);
  const f = tf.customGrad(((x: tf.Tensor2D) => {
    const value = keepMaskValue(x, k);
    return { value, gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(g) as tf.Tensor2D;
}

/** g·mask: kept saliencies keep their value (no 1/keep rescale), dropped ones become 0. */
export function gateSaliency(g: tf.Tensor2D, k: number): tf.Tensor2D {
  if (k === 0) return g;
  return tf.tidy(() => tf.mul(g, keepMask(g, k)));
}
