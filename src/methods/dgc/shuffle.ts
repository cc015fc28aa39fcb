// Combining the heads (docs/methods/dgc.md §1.6): the official code concatenates the h head outputs head-major
// (channel i·(C'/h) + j) and channel-shuffles them to channel j·h + i.
import * as tf from '@tensorflow/tfjs-core';

// interleaveHeads (the heads' concat + shuffle in one step) lives with the fused DGC head op.
export { interleaveHeads } from '../../ops/dgc/composite.js';

/** ShuffleNet channel shuffle of an NHWC tensor: [B,H,W,groups·n] viewed as [groups, n] → transposed to [n, groups]. */
export function channelShuffle(y: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [B, H, W, C] = y.shape;
  if (!Number.isInteger(groups) || groups <= 0 || C % groups !== 0) {
    throw new Error(`channelShuffle: groups must be a positive divisor of the ${C} channels, got ${groups}`);
  }
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(y, [B, H, W, groups, C / groups]), [0, 1, 2, 4, 3]), [B, H, W, C]) as tf.Tensor4D);
}
