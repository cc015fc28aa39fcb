// Inference path of a DGC layer that computes only what the gate keeps (docs/methods/dgc.md §1.8): per sample and
// head, the K = C − k channels with the largest saliencies are gathered (scaled by their gated saliency; ties at the
// threshold carry ĝ = 0, so the result equals the masked path) and convolved with the matching kernel slices,
// for a batch as k_h·k_w batched matMuls [B, Ho·Wo, K] × [B, K, C'/h]. No JS loop over samples; one loop over heads and taps.
import * as tf from '@tensorflow/tfjs-core';
import type { DynamicMultiHeadConv } from './layer.js';
import { interleaveHeads } from './shuffle.js';

/** Eval-mode output of `layer` on x [B,H,W,C], computed on the kept channels only: [B, Ho, Wo, C']. */
export function dgcForwardGathered(layer: DynamicMultiHeadConv, x: tf.Tensor4D): tf.Tensor4D {
  if (layer.training) throw new Error('dgcForwardGathered: the layer must be in eval mode (call model.eval())');
  if (x.rank !== 4 || x.shape[3] !== layer.inChannels) {
    throw new Error(`dgcForwardGathered: x must be NHWC [B,H,W,${layer.inChannels}], got [${x.shape.join(',')}]`);
  }
  return tf.tidy(() => {
    const { a, g } = layer.saliency(x);
    const gh = layer.gate(g); // [h, B, C]
    const [h, B, C] = gh.shape;
    const K = C - layer.inactiveChannels;
    if (K === 0) {
      const [, H, W] = a.shape;
      const ho = Math.floor((H + 2 * layer.padding - layer.kernelSize) / layer.stride) + 1;
      const wo = Math.floor((W + 2 * layer.padding - layer.kernelSize) / layer.stride) + 1;
      return tf.zeros([B, ho, wo, layer.outChannels]) as tf.Tensor4D;
    }
    const { indices } = tf.topk(tf.reshape(g, [h * B, C]), K, false); // [h·B, K]: the kept channels
    const idx = tf.reshape(indices, [h, B, K]);
    const scale = tf.reshape(tf.gather(tf.reshape(gh, [h * B, C]), tf.reshape(indices, [h * B, K]), 1, 1), [h, B, K]);
    const p = layer.padding;
    const ap = p > 0 ? tf.pad(a, [[0, 0], [p, p], [p, p], [0, 0]]) : a;
    const [, Hp, Wp] = ap.shape;
    const kk = layer.kernelSize;
    const s = layer.stride;
    const ho = Math.floor((Hp - kk) / s) + 1;
    const wo = Math.floor((Wp - kk) / s) + 1;
    const flat = tf.reshape(ap, [B, Hp * Wp, C]);
    const idxs = tf.unstack(idx);
    const scales = tf.unstack(scale);
    const outs = layer.headconvs.map((m, i) => {
      if (B === 1) {
        // one image (latency): a real convolution over the K kept channels with the matching kernel slice
        const sel = tf.reshape(idxs[i]!, [K]);
        const xk = tf.mul(tf.gather(ap, sel, 3), tf.reshape(scales[i]!, [1, 1, 1, K])) as tf.Tensor4D;
        return tf.conv2d(xk, tf.gather(m.conv.weight.variable, sel, 2) as tf.Tensor4D, s, 'valid');
      }
      const xi = tf.mul(tf.gather(flat, idxs[i]!, 2, 1), tf.expandDims(scales[i]!, 1)); // [B, Hp·Wp, K]
      const xs = tf.reshape(xi, [B, Hp, Wp, K]);
      const wi = tf.gather(m.conv.weight.variable, idxs[i]!, 2); // [kh, kw, B, K, O]
      const O = wi.shape[4]!;
      const taps: tf.Tensor[] = [];
      for (let ky = 0; ky < kk; ky++) {
        for (let kx = 0; kx < kk; kx++) {
          const win = kk === 1 && s === 1 ? xs
            : tf.stridedSlice(xs, [0, ky, kx, 0], [B, ky + s * (ho - 1) + 1, kx + s * (wo - 1) + 1, K], [1, s, s, 1]);
          const w = tf.reshape(tf.slice(wi, [ky, kx, 0, 0, 0], [1, 1, B, K, O]), [B, K, O]) as tf.Tensor3D;
          taps.push(tf.matMul(tf.reshape(win, [B, ho * wo, K]) as tf.Tensor3D, w));
        }
      }
      const y = taps.length === 1 ? taps[0]! : tf.addN(taps);
      return tf.reshape(y, [B, ho, wo, O]) as tf.Tensor4D;
    });
    return interleaveHeads(outs);
  });
}
