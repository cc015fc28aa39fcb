// Switches chanlab's webgpu kernels on and off (on by default when the backend loads; CHANLAB_WEBGPU_KERNELS=0 keeps
// tfjs's stock kernels, e.g. to measure against them): replacements of tfjs's own kernels (convolutions, the spatial
// mean) and chanlab-named kernels that ops use when they are registered (grouped conv, conv + BN + act, training
// batch norm, the PiX gate; the fused SGD checks webgpuKernelsEnabled()). The PiX and DGC-head kernels are not
// switched: they have no stock counterpart.
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { batchNormKernels } from './BatchNorm.js';
import { convKernels, convReplacements } from './Conv2D.js';
import { meanReplacements } from './Mean.js';
import { pixGateKernels } from './PixGate.js';
import { stockKernels } from './stock.js';

const KERNELS: KernelConfig[] = [...convKernels, ...batchNormKernels, ...pixGateKernels];
const REPLACEMENTS: KernelConfig[] = [...convReplacements, ...meanReplacements];

let enabled = false;

/** Whether chanlab's webgpu kernels are registered now. */
export function webgpuKernelsEnabled(): boolean {
  return enabled;
}

/** Puts chanlab's kernel in place of tfjs's stock one of the same name (kept in stockKernels for fallback). */
function replaceStock(k: KernelConfig): void {
  const prev = getKernel(k.kernelName, 'webgpu');
  if (prev === undefined) throw new Error(`setWebGPUKernels: tfjs has no webgpu ${k.kernelName} kernel (import @tensorflow/tfjs-backend-webgpu first)`);
  stockKernels.set(k.kernelName, prev);
  unregisterKernel(k.kernelName, 'webgpu');
  registerKernel(k);
}

/** Registers (true) or removes (false) chanlab's webgpu kernels; call after tfjs-backend-webgpu is imported. */
export function setWebGPUKernels(on: boolean): boolean {
  if (on !== enabled && on) {
    REPLACEMENTS.forEach(replaceStock);
    KERNELS.forEach((k) => registerKernel(k));
  } else if (on !== enabled) {
    [...REPLACEMENTS, ...KERNELS].forEach((k) => unregisterKernel(k.kernelName, 'webgpu'));
    stockKernels.forEach((k) => registerKernel(k));
    stockKernels.clear();
  }
  enabled = on;
  return enabled;
}
