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
