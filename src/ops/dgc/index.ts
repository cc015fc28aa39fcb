// The fused DGC head convolution (docs/methods/dgc.md §1.3, §1.6): op, kernel names, composite fallback. Importing this
// module registers the gradient; the backend kernels register through src/kernels/register.ts.
import './gradient.js';

export { dgcHeads, dgcHeadsAttrs, hasDgcHeadsKernel, type DgcHeadsOptions } from './dgc_heads.js';
export { dgcHeadsComposite, interleaveHeads } from './composite.js';
export { ChanlabDgcHeads, ChanlabDgcHeadsGrad, type DgcHeadsAttrs } from './kernel_names.js';
export { dgcHeadsDims, headConvAttrs, type DgcHeadsDims } from './shape.js';
