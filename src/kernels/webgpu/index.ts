// Switches chanlab's webgpu kernels on and off (on by default when the backend loads; CHANLAB_WEBGPU_KERNELS=0 keeps
// tfjs's stock kernels, e.g. to measure against them): replacements of tfjs's own kernels (convolutions, the spatial
// mean) and chanlab-named kernels that ops use when they are registered (grouped conv, conv + BN + act, training
// batch norm, the PiX gate; the fused SGD checks webgpuKernelsEnabled()), installed through installKernels
// (../install.ts), which restores what they replaced when switched off. The PiX, DGC-head and AddN kernels
// (register.ts's WEBGPU_KERNELS) are not switched: they have no stock counterpart or fix a stock bug.
import { installKernels, type CustomKernel } from '../install.js';
import { batchNormKernels } from './BatchNorm.js';
import { convKernels, convReplacements } from './Conv2D.js';
import { meanReplacements } from './Mean.js';
import { pixGateKernels } from './PixGate.js';

const KERNELS: readonly CustomKernel[] = [
  ...convReplacements, ...meanReplacements, ...convKernels, ...batchNormKernels, ...pixGateKernels,
];

let undo: (() => void) | null = null;

/** Whether chanlab's webgpu kernels are registered now. */
export function webgpuKernelsEnabled(): boolean {
  return undo !== null;
}

/** Registers (true) or removes (false) chanlab's webgpu kernels; call after tfjs-backend-webgpu is imported. */
export function setWebGPUKernels(on: boolean): boolean {
  if (on && undo === null) undo = installKernels(KERNELS);
  else if (!on && undo !== null) {
    undo();
    undo = null;
  }
  return undo !== null;
}
