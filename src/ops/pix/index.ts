// PiX (Pick-or-Mix, CVPR 2024) operator: op, kernel names, composite fallback, gradient configs. Kernels and gradients
// are registered by src/kernels/register.ts.

export { pix, pixAttrs, hasPixKernel, type PixOptions } from './pix.js';
export { pixComposite } from './composite.js';
export { pixGate, pixGateComposite, hasPixGateKernel } from './gate.js';
export { pixGradConfig } from './gradient.js';
export { pixGateGradConfig } from './gate_gradient.js';
export {
  ChanlabPix, ChanlabPixGrad, ChanlabPixGate, PIX_GATE_ACTIVATIONS, PIX_REDUCTIONS, PIX_AVG_DIVISORS, PIX_LOWEST,
  type PixAttrs, type PixReduce, type PixAvgDivisor, type PixGateActivation, type PixGateAttrs,
} from './kernel_names.js';
export { pixDims, groupSize, type PixDims } from './shape.js';
