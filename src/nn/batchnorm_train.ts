// Training-mode batch normalisation over N·H·W with a closed-form gradient.
//
// tfjs's FusedBatchNorm gradient tiles the per-channel tensors up to the full activation shape (on wasm `Tile`
// alone was ~35% of a ResNet training step). With x̂ = (x − μ)·σ⁻¹, y = γ·x̂ + β and M = N·H·W:
//   dβ = Σ dy,   dγ = Σ dy·x̂,   dx = γ·σ⁻¹·(dy − dβ/M − x̂·dγ/M)
// which uses only broadcasting element-wise ops and per-channel sums.
import * as tf from '@tensorflow/tfjs-core';
import {
  ChanlabBatchNormTrain, ChanlabBatchNormTrainAct, ChanlabBatchNormTrainActGrad, ChanlabBatchNormTrainGrad, type BatchNormTrainActAttrs,
} from '../ops/batchnorm/kernel_names.js';

type OnStats = (mean: tf.Tensor1D, variance: tf.Tensor1D) => void;

/**
 * x: [N,H,W,C]; gamma, beta: [C]. `onStats` receives the batch mean and biased variance (per channel) while they
 * are alive, e.g. to update running statistics; they are freed when the op returns. Backends that register the
 * fused kernels (the native addon on wasm) run those; others compose tfjs ops.
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, onStats?: OnStats): tf.Tensor {
  if (tf.getKernel(ChanlabBatchNormTrain, tf.getBackend()) != null) return fusedBatchNormTrain(x, gamma, beta, eps, onStats);
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

/** The same computation through the fused kernels, where a backend registers them (the native addon on wasm). */
function fusedBatchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, onStats?: OnStats): tf.Tensor {
  const f = tf.customGrad(((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const [value, mean, variance, invStd] = tf.engine().runKernel(ChanlabBatchNormTrain,
      { x: xx, gamma: g, beta: b }, { eps }) as unknown as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    onStats?.(mean, variance);
    save([xx, mean, invStd, g]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sm, si, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      return tf.engine().runKernel(ChanlabBatchNormTrainGrad, { dy, x: sx, mean: sm, invStd: si, gamma: sg }, {}) as
        unknown as tf.Tensor[];
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, gamma, beta);
}

/** Whether the active backend runs training batch norm with its activation and residual add in one kernel. */
export function hasBatchNormActKernel(): boolean {
  return tf.getKernel(ChanlabBatchNormTrainAct, tf.getBackend()) != null;
}

export interface BatchNormActOptions {
  activation: 'linear' | 'relu';
  /** added before the activation (a ResNet block's shortcut); gets its gradient */
  residual?: tf.Tensor;
  /** running statistics the kernel updates in place (their data must be their own), PyTorch's momentum rule */
  running?: { mean: tf.Tensor; variance: tf.Tensor; count: tf.Tensor; momentum: number };
  /** as batchNormTrain's, when `running` is not given */
  onStats?: OnStats;
}

/**
 * act(batch norm(x) + residual) in training mode through ChanlabBatchNormTrainAct (webgpu: a statistics pass and a
 * normalise pass forward, two passes backward), with the gradients of x, γ, β and the residual. Call it only where
 * hasBatchNormActKernel() holds.
 */
export function batchNormTrainAct(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, o: BatchNormActOptions): tf.Tensor {
  const m = x.size / x.shape[x.rank - 1]!;
  const attrs: BatchNormTrainActAttrs = { eps, activation: o.activation, momentum: o.running?.momentum ?? 0, unbias: m / Math.max(m - 1, 1) };
  const running: tf.NamedTensorMap = o.running ? { runningMean: o.running.mean, runningVar: o.running.variance, numBatchesTracked: o.running.count } : {};
  const hasResidual = o.residual !== undefined;
  const f = tf.customGrad(((...args: tf.Tensor[]) => {
    const [xx, g, b] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const save = args[args.length - 1] as unknown as tf.GradSaveFunc;
    const inputs: tf.NamedTensorMap = { x: xx, gamma: g, beta: b, ...running, ...(hasResidual ? { residual: args[3]! } : {}) };
    const [value, mean, variance, invStd] = tf.engine().runKernel(ChanlabBatchNormTrainAct, inputs,
      attrs as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    o.onStats?.(mean, variance);
    save([xx, value, mean, invStd, g]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sy, sm, si, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      return tf.engine().runKernel(ChanlabBatchNormTrainActGrad, { dy, x: sx, y: sy, mean: sm, invStd: si, gamma: sg },
        { activation: o.activation, residual: hasResidual }) as unknown as tf.Tensor[];
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return hasResidual ? f(x, gamma, beta, o.residual!) : f(x, gamma, beta);
}
