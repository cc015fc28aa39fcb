// pixGate(x, weight, bias, {activation}): a PiX module's sampling probabilities p = act(GAP(x)·W + b) as one op
// (docs/methods/pix.md §3). NHWC: x [N,H,W,C], weight [1,1,C,G] (the 1×1 conv_sqz filter), bias [G] or null ->
// p [N,1,1,G]. act: sigmoid, or 0.5·(1 + tanh) (E0).
//
// Runs the ChanlabPixGate kernel where the active backend has one (wasm with the native addon: one pass for the mean,
// one over the filter, no intermediate tensors — the gate is memory-bound at batch 1); elsewhere the same stock ops a
// PiX module composes (mean, conv2d, activation). The gradient is registered once for the kernel (gate_gradient.ts).
import * as tf from '@tensorflow/tfjs-core';
import { checkOneOf } from '../../core/check.js';
import { ChanlabPixGate, PIX_GATE_ACTIVATIONS, type PixGateActivation, type PixGateAttrs } from './kernel_names.js';

/** Whether the active backend has the gate kernel. */
export function hasPixGateKernel(backendName: string = tf.getBackend()): boolean {
  return tf.getKernel(ChanlabPixGate, backendName) !== undefined;
}

/** The stock-op gate: act(conv2d(mean(x), weight) + bias). */
export function pixGateComposite(x: tf.Tensor4D, weight: tf.Tensor4D, bias: tf.Tensor | null, activation: PixGateActivation): tf.Tensor4D {
  return tf.tidy(() => {
    let a: tf.Tensor4D = tf.conv2d(tf.mean(x, [1, 2], true) as tf.Tensor4D, weight, 1, 'valid');
    if (bias) a = tf.add(a, bias);
    return activation === 'sigmoid' ? tf.sigmoid(a) : tf.mul(0.5, tf.add(1, tf.tanh(a)));
  });
}

function checkShapes(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null): void {
  if (x.rank !== 4 || x.dtype !== 'float32') {
    throw new Error(`pixGate: x must be a float32 [N,H,W,C] tensor, got ${x.dtype} [${x.shape.join(',')}]`);
  }
  const C = x.shape[3];
  const [kh, kw, wc, G] = weight.shape;
  if (weight.rank !== 4 || kh !== 1 || kw !== 1 || wc !== C || weight.dtype !== 'float32') {
    throw new Error(`pixGate: weight must be a float32 [1,1,${C},G] filter (C = x's channels), got ${weight.dtype} [${weight.shape.join(',')}]`);
  }
  if (bias && (bias.size !== G || bias.dtype !== 'float32')) {
    throw new Error(`pixGate: bias must be null or ${G} float32 values (G = weight's output channels), got ${bias.dtype} [${bias.shape.join(',')}]`);
  }
}

export function pixGate(x: tf.Tensor4D, weight: tf.Tensor4D, bias: tf.Tensor | null, activation: PixGateActivation = 'sigmoid'): tf.Tensor4D {
  checkOneOf(activation, PIX_GATE_ACTIVATIONS, 'activation', 'pixGate');
  checkShapes(x, weight, bias);
  // An empty batch gives an empty p (tfjs-wasm's Mean divides by zero on it).
  if (x.shape[0] === 0) return tf.zeros([0, 1, 1, weight.shape[3]]);
  if (!hasPixGateKernel() || x.size === 0 || weight.size === 0) return pixGateComposite(x, weight, bias, activation);
  const attrs: PixGateAttrs = { activation };
  const inputs: tf.NamedTensorMap = bias ? { x, weight, bias } : { x, weight };
  return tf.engine().runKernel(ChanlabPixGate, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
