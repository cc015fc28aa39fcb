// The DGC heads from stock tfjs ops (docs/methods/dgc.md §1.3, §1.6): h conv2d calls on a·g_i, outputs interleaved
// (channel j·h + i). The reference the kernels are tested against, and the path on backends without them.
import * as tf from '@tensorflow/tfjs-core';
import type { DgcHeadsAttrs } from './kernel_names.js';
import { dgcHeadsDims, headConvAttrs } from './shape.js';

/**
 * outs: h tensors [B, Ho, Wo, C'/h] → [B, Ho, Wo, C'] with channel j·h + i = head i, channel j: the official code's
 * head-major concat followed by its channel shuffle. Stacking the heads on a new leading axis and moving it last
 * gives that order directly (a stack on the last axis is ~4× slower on wasm).
 */
export function interleaveHeads(outs: tf.Tensor4D[]): tf.Tensor4D {
  if (outs.length === 0) throw new Error('interleaveHeads: outs must hold at least one head output');
  if (outs.length === 1) return outs[0]!;
  const [B, H, W, c] = outs[0]!.shape;
  const h = outs.length;
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(tf.stack(outs, 0), [h, B * H * W, c]), [1, 2, 0]), [B, H, W, c * h]) as tf.Tensor4D);
}

/** a [B,H,W,C], g [h,B,C], w [k,k,C,C'] (heads stacked head-major) → y [B,Ho,Wo,C'] interleaved. */
export function dgcHeadsComposite(a: tf.Tensor4D, g: tf.Tensor3D, w: tf.Tensor4D, attrs: DgcHeadsAttrs): tf.Tensor4D {
  const d = dgcHeadsDims(a.shape, g.shape, w.shape, attrs);
  const { strides, pad } = headConvAttrs(attrs);
  return tf.tidy(() => {
    // (tfjs's SplitV gradient fails for a split into one piece)
    const gh = d.h === 1 ? [tf.reshape(g, [d.B, d.C])] : tf.unstack(g); // h × [B, C]
    const wh = d.h === 1 ? [w] : tf.split(w, d.h, 3); // h × [k, k, C, C'/h]
    const outs = gh.map((gi, i) => tf.conv2d(tf.mul(a, tf.reshape(gi, [d.B, 1, 1, d.C])) as tf.Tensor4D, wh[i] as tf.Tensor4D, strides, pad));
    return interleaveHeads(outs);
  });
}
