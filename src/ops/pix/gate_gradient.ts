// The registered gradient of ChanlabPixGate (every backend), from stock ops. With m = GAP(x) [N,C],
// a = m·W + b, p = act(a): dp/da = p(1 − p) for the sigmoid and 2p(1 − p) for 0.5·(1 + tanh a), so the saved output
// is enough; then dW = mᵀ·da, db = Σₙ da, dx = (da·Wᵀ)/HW spread over the pixels.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { ChanlabPixGate, type PixGateAttrs } from './kernel_names.js';

export const pixGateGradConfig: GradConfig = {
  kernelName: ChanlabPixGate,
  inputsToSave: ['x', 'weight'],
  outputsToSave: [true],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, weight, p] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const g = (Array.isArray(dy) ? dy[0] : dy)!;
    const [N, H, W, C] = x.shape;
    const G = weight.shape[3];
    const k = (attrs as unknown as PixGateAttrs).activation === 'sigmoid' ? 1 : 2;
    // Made here, once, rather than in each closure (the body runs in the backward pass's scope, as pixGradConfig's).
    const da = tf.reshape(tf.mul(g, tf.mul(k, tf.mul(p, tf.sub(1, p)))), [N, G]) as tf.Tensor2D;
    const w2 = tf.reshape(weight, [C, G]) as tf.Tensor2D;
    return {
      x: () => tf.mul(tf.ones([N, H, W, C]), tf.reshape(tf.div(tf.matMul(da, w2, false, true), H * W), [N, 1, 1, C])),
      weight: () => tf.reshape(tf.matMul(tf.reshape(tf.mean(x, [1, 2]), [N, C]) as tf.Tensor2D, da, true, false), [1, 1, C, G]),
      bias: () => tf.sum(da, 0),
    };
  },
};
