// batchNormTrain(x, gamma, beta, eps, onStats): training-mode batch normalisation over N·H·W with a closed-form
// gradient. x [N,H,W,C]; gamma, beta [C] → y, x's shape.
//
// tfjs's FusedBatchNorm gradient tiles the per-channel tensors up to the full activation shape (on wasm `Tile`
// alone was ~35% of a ResNet training step). With x̂ = (x − μ)·σ⁻¹, y = γ·x̂ + β and M = N·H·W:
//   dβ = Σ dy,   dγ = Σ dy·x̂,   dx = γ·σ⁻¹·(dy − dβ/M − x̂·dγ/M)
// Backends with the ChanlabBatchNormTrain kernel (the native addon on wasm) run it, with the gradient registered in
// gradient.ts; others run the composite below (the same formulas from stock ops).
import * as tf from '@tensorflow/tfjs-core';
import { ChanlabBatchNormTrain } from './kernel_names.js';

/** Receives the batch mean and biased variance [C] while they are alive (e.g. to update running statistics). */
export type OnStats = (mean: tf.Tensor1D, variance: tf.Tensor1D) => void;

export function hasBatchNormTrainKernel(backendName: string = tf.getBackend()): boolean {
  return tf.getKernel(ChanlabBatchNormTrain, backendName) !== undefined;
}

/** The stock-op batch norm with the closed-form gradient (customGrad), for backends without the kernel. */
export function batchNormTrainComposite(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, onStats?: OnStats): tf.Tensor {
  const m = x.size / x.shape[x.rank - 1]!;
  const f = tf.customGrad(((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const { mean, variance } = tf.moments(xx, [0, 1, 2]) as { mean: tf.Tensor1D; variance: tf.Tensor1D };
    onStats?.(mean, variance);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(xx, mean), invStd);
    const value = tf.add(tf.mul(xhat, g), b);
    save([xhat, invStd, g]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, si, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const dBeta = tf.sum(dy, [0, 1, 2]);
      const dGamma = tf.sum(tf.mul(dy, sx), [0, 1, 2]);
      const centred = tf.sub(tf.sub(dy, tf.div(dBeta, m)), tf.mul(sx, tf.div(dGamma, m)));
      const dx = tf.mul(centred, tf.mul(sg, si));
      return [dx, dGamma, dBeta];
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, gamma, beta);
}

export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, onStats?: OnStats): tf.Tensor {
  if (!hasBatchNormTrainKernel()) return batchNormTrainComposite(x, gamma, beta, eps, onStats);
  const [y, mean, variance, invStd] = tf.engine().runKernel(ChanlabBatchNormTrain, { x, gamma, beta }, { eps }) as
    unknown as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
  onStats?.(mean, variance);
  tf.dispose([mean, variance, invStd]);
  return y;
}
