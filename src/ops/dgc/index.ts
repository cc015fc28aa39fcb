// The fused DGC head convolution (docs/methods/dgc.md §1.3, §1.6): op, kernel names, composite fallback, gradient
// config; the eval-mode layer op that computes only the kept channels (dgcEval, §8.3); the gate rule and the saliency
// MLPs. Kernels and gradients are registered by src/kernels/register.ts.

export { dgcHeads, dgcHeadsAttrs, hasDgcHeadsKernel, type DgcHeadsOptions } from './dgc_heads.js';
export { dgcHeadsComposite, interleaveHeads } from './composite.js';
export { dgcHeadsGradConfig } from './gradient.js';
export { dgcTrain, hasDgcTrainKernel, type DgcHeadParams, type DgcTrainOptions } from './train.js';
export { dgcTrainGradConfig } from './train_gradient.js';
export { dgcStackHeads, dgcStackHeadsComposite, hasDgcStackHeadsKernel, type DgcHeadTensors } from './stack_heads.js';
export { dgcStackHeadsGradConfig } from './stack_heads_gradient.js';
export {
  ChanlabDgcEval, ChanlabDgcHeads, ChanlabDgcHeadsGrad, ChanlabDgcStackHeads, ChanlabDgcStackHeadsGrad, ChanlabDgcTrain,
  ChanlabDgcTrainGrad, dgcStackInputNames, type DgcEvalAttrs, type DgcHeadsAttrs, type DgcStackHeadsAttrs, type DgcTrainAttrs,
} from './kernel_names.js';
export { dgcEval, dgcEvalAttrs, dgcEvalComposite, hasDgcEvalKernel, type DgcEvalInputs, type DgcEvalOptions } from './eval.js';
export { checkDropCount, gateHeads, gateSaliency, keepMask, keepMaskValue } from './gate.js';
export { dgcSaliency } from './saliency.js';
export { dgcHeadsDims, headConvAttrs, type DgcHeadsDims } from './shape.js';
