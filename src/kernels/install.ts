// The one way chanlab adds kernels to tfjs: a list of kernel configs installed over whatever is registered under
// the same name and backend (tfjs's stock kernel, or nothing). The replaced kernels are kept, so an installation
// can be undone (the native kernels switch on and off this way) and a kernel can wrap the one it replaces.
import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';

/** A kernel made from the one it replaces (e.g. a stock kernel called in chunks); `previous` is undefined if none. */
export interface WrappingKernel {
  kernelName: string;
  backendName: string;
  wrap: (previous: KernelConfig | undefined) => KernelFunc;
}

export type CustomKernel = KernelConfig | WrappingKernel;

function isWrapping(k: CustomKernel): k is WrappingKernel {
  return 'wrap' in k;
}

/**
 * Registers `kernels`, each replacing the kernel registered under its name and backend. Returns a function that
 * restores what was there before (and removes the kernels that replaced nothing).
 */
export function installKernels(kernels: readonly CustomKernel[]): () => void {
  const previous: Array<{ kernelName: string; backendName: string; config: KernelConfig | undefined }> = [];
  for (const k of kernels) {
    const prev = getKernel(k.kernelName, k.backendName);
    if (prev !== undefined) unregisterKernel(k.kernelName, k.backendName);
    previous.push({ kernelName: k.kernelName, backendName: k.backendName, config: prev });
    const config: KernelConfig = isWrapping(k)
      ? { kernelName: k.kernelName, backendName: k.backendName, kernelFunc: k.wrap(prev) }
      : k;
    registerKernel(config);
  }
  return () => {
    for (const p of previous.reverse()) {
      unregisterKernel(p.kernelName, p.backendName);
      if (p.config !== undefined) registerKernel(p.config);
    }
  };
}
