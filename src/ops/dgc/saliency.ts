// The saliency MLPs of a DGC layer's heads (docs/methods/dgc.md §1.2, §1.3) as one batched computation from stock ops:
// g_i = relu(relu(z·w1_i)·w2_i + b2_i) for every head i at once. Shared by the layer (training, with gradients) and the
// eval op's composite.
import * as tf from '@tensorflow/tfjs-core';

/** z [B, C], w1 [h, d, C] (fc1 weights, [out, in]), w2 [h, d, C] (fc2, [in, out]), b2 [h, C] → g [h, B, C] (≥ 0). */
export function dgcSaliency(z: tf.Tensor2D, w1: tf.Tensor3D, w2: tf.Tensor3D, b2: tf.Tensor2D): tf.Tensor3D {
  const [h, C] = b2.shape;
  return tf.tidy(() => {
    const zh = tf.tile(tf.expandDims(z, 0), [h, 1, 1]) as tf.Tensor3D; // [h, B, C]
    const hidden = tf.relu(tf.matMul(zh, w1, false, true));
    return tf.relu(tf.add(tf.matMul(hidden, w2), tf.reshape(b2, [h, 1, C]))) as tf.Tensor3D;
  });
}
