// Combining the heads (docs/methods/dgc.md §1.6): the official code concatenates the h head outputs head-major
// (channel i·(C'/h) + j) and channel-shuffles them to channel j·h + i. Stacking the heads on a new leading axis and
// moving it last gives that order directly ([h, N, C'/h] → [N, C'/h, h]; a stack on the last axis is ~4× slower on
// wasm).
import * as tf from '@tensorflow/tfjs-core';

/** outs: h tensors [B, Ho, Wo, C'/h] → [B, Ho, Wo, C'] with channel j·h + i = head i, channel j. */
export function interleaveHeads(outs: tf.Tensor4D[]): tf.Tensor4D {
  if (outs.length === 0) throw new Error('interleaveHeads: outs must hold at least one head output');
  if (outs.length === 1) return outs[0]!;
  const [B, H, W, c] = outs[0]!.shape;
  const h = outs.length;
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(tf.stack(outs, 0), [h, B * H * W, c]), [1, 2, 0]), [B, H, W, c * h]) as tf.Tensor4D);
}

/** ShuffleNet channel shuffle of an NHWC tensor: [B,H,W,groups·n] viewed as [groups, n] → transposed to [n, groups]. */
export function channelShuffle(y: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [B, H, W, C] = y.shape;
  if (!Number.isInteger(groups) || groups <= 0 || C % groups !== 0) {
    throw new Error(`channelShuffle: groups must be a positive divisor of the ${C} channels, got ${groups}`);
  }
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(y, [B, H, W, groups, C / groups]), [0, 1, 2, 4, 3]), [B, H, W, C]) as tf.Tensor4D);
}
