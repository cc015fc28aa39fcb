// The fused DGC head convolution (docs/methods/dgc.md §1.3, §1.6): op, kernel names, composite fallback, gradient
// config. Kernels and gradients are registered by src/kernels/register.ts.

export { dgcHeads, dgcHeadsAttrs, hasDgcHeadsKernel, type DgcHeadsOptions } from './dgc_heads.js';
export { dgcHeadsComposite, interleaveHeads } from './composite.js';
export { dgcHeadsGradConfig } from './gradient.js';
export { ChanlabDgcHeads, ChanlabDgcHeadsGrad, type DgcHeadsAttrs } from './kernel_names.js';
export { dgcHeadsDims, headConvAttrs, type DgcHeadsDims } from './shape.js';
