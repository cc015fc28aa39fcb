// Kernel names and attributes of the fused DGC head convolution (docs/methods/dgc.md §1.3, §1.6), shared by the op,
// its gradient and every backend.
//
// ChanlabDgcHeads:     inputs {a: [B,H,W,C], g: [h,B,C], w: [k,k,C,C']}  -> y: [B,Ho,Wo,C']
// ChanlabDgcHeadsGrad: inputs {a, g, w, dy: [B,Ho,Wo,C']}                -> [da: a's shape, dg: g's shape, dw: w's shape]
// Head i convolves a·g_i (each channel map scaled by its gated saliency) with w[..., i·C'/h + j] (the heads' kernels
// stacked head-major, as the official grouped conv); its output channel j lands at j·h + i (the channel shuffle).

export const ChanlabDgcHeads = 'ChanlabDgcHeads';
export const ChanlabDgcHeadsGrad = 'ChanlabDgcHeadsGrad';

/** Attributes of both kernels (dgcHeadsAttrs() builds them checked). */
export interface DgcHeadsAttrs {
  /** number of heads h; divides C' */
  heads: number;
  stride: number;
  /** symmetric zero padding per side (PyTorch) */
  padding: number;
}

// ChanlabDgcEval: a DGC layer's eval-mode forward (docs/methods/dgc.md §1.3) computing only the kept channels.
//   inputs {x: [B,H,W,C], mean, variance, gamma, beta: [C] (BN running statistics and affine), w1: [h,d,C],
//   w2: [h,d,C], b2: [h,C] (the saliency MLPs), w: [k,k,C,C']}  ->  [y: [B,Ho,Wo,C'], gated: [h,B,C]]
// a = relu(BN(x)); g_i = relu(relu(mean_HW(a)·w1_i)·w2_i + b2_i); gated_i = g_i above its row's `inactive`-th smallest,
// else 0; y = the heads of a·gated_i interleaved, as ChanlabDgcHeads. No gradient: eval only.
export const ChanlabDgcEval = 'ChanlabDgcEval';

export interface DgcEvalAttrs extends DgcHeadsAttrs {
  /** channels each head drops (the layer's `_inactive_channels`) */
  inactive: number;
  /** BN epsilon */
  epsilon: number;
}

// ChanlabDgcTrain: a DGC layer after its BN → ReLU in training (docs/methods/dgc.md §1.3, §1.5):
//   inputs {a: [B,H,W,C], w1: [h,d,C], w2: [h,d,C], b2: [h,C], w: [k,k,C,C']}  ->  [y: [B,Ho,Wo,C'], g: [h,B,C], z: [B,C]]
// z = mean_HW(a); g_i = relu(relu(z·w1_i)·w2_i + b2_i) (before the gate, for the lasso term); y = ChanlabDgcHeads(a,
// g·mask, w), mask = g above its row's `inactive`-th smallest, no gradient through it. Kernels may compute only the
// kept channels. ChanlabDgcTrainGrad: inputs {a, w1, w2, b2, w, g, z, dy, dg} -> [da, dw1, dw2, db2, dw] (dg: the
// gradient reaching g directly).
export const ChanlabDgcTrain = 'ChanlabDgcTrain';
export const ChanlabDgcTrainGrad = 'ChanlabDgcTrainGrad';

export interface DgcTrainAttrs extends DgcHeadsAttrs {
  /** channels each head drops */
  inactive: number;
}

// ChanlabDgcStackHeads: the heads' parameters as the DGC ops take them (docs/methods/dgc.md §1.2).
//   inputs {fc1_i: [C,d], fc2_i: [d,C], b2_i: [C], w_i: [k,k,C,C'/h]} for i < heads  ->  [w1: [h,d,C] (fc1 transposed),
//   w2: [h,d,C], b2: [h,C], w: [k,k,C,C'] (heads side by side)]. ChanlabDgcStackHeadsGrad: inputs {dw1, dw2, db2, dw}
//   -> the 4·h gradients in input order (fc1_0 … fc1_{h-1}, fc2_…, b2_…, w_…).
export const ChanlabDgcStackHeads = 'ChanlabDgcStackHeads';
export const ChanlabDgcStackHeadsGrad = 'ChanlabDgcStackHeadsGrad';

export interface DgcStackHeadsAttrs {
  heads: number;
}

/** The input names of ChanlabDgcStackHeads for h heads, in order. */
export function dgcStackInputNames(h: number): string[] {
  return ['fc1', 'fc2', 'b2', 'w'].flatMap((p) => Array.from({ length: h }, (_, i) => `${p}_${i}`));
}
