// The native (oneDNN / C++) kernels for the wasm backend, installed (src/kernels/install.ts) over the wasm kernels of
// the same names when the addon is loaded (those are kept in `replaced` for fallback; switching off restores them).
// Every other op keeps its wasm kernel: the native ones read and write the same wasm heap, so tensors never move.
// The wasm backend's own kernels must be registered first, so that ours replace them.
import '@tensorflow/tfjs-backend-wasm';
import { findBackend, type KernelFunc } from '@tensorflow/tfjs-core';
import { installKernels, type WrappingKernel } from '../install.js';
import { nativeAddon } from './addon.js';
import type { KernelArgs } from './common.js';
import { ensureSetUp, replaced } from './common.js';
import { nativeBatchNormKernels } from './batchnorm.js';
import { nativeConvForwardKernels } from './conv.js';
import { nativeConvGradKernels } from './conv_grad.js';
import { nativeDgcKernels } from './dgc.js';
import { nativeGroupConvKernels } from './group_conv.js';
import { nativeInferenceKernels } from './inference.js';
import { nativePixKernels } from './pix.js';
import { nativePixGateKernels } from './pix_gate.js';
import { nativePoolKernels } from './pool.js';

interface NativeKernel { kernelName: string; kernelFunc: (args: KernelArgs) => unknown }

export const NATIVE_KERNELS: readonly NativeKernel[] = [
  ...nativeConvForwardKernels, ...nativeConvGradKernels, ...nativeGroupConvKernels, ...nativePoolKernels, ...nativeBatchNormKernels,
  ...nativePixKernels, ...nativePixGateKernels, ...nativeInferenceKernels, ...nativeDgcKernels,
];

let uninstall: (() => void) | undefined;

/** Whether the native kernels are registered for the wasm backend now. */
export function nativeKernelsEnabled(): boolean {
  return uninstall !== undefined;
}

/**
 * Switches the wasm backend between native and pure-wasm kernels (e.g. to compare them in one process). Turning
 * them on needs the addon; returns whether they are on afterwards.
 */
export function setNativeKernels(on: boolean): boolean {
  if (on === nativeKernelsEnabled()) return on;
  if (on) {
    if (nativeAddon() === undefined) return false;
    // Each wraps the kernel it replaces: kept in `replaced` for the cases a native kernel leaves to it (fallback()).
    uninstall = installKernels(NATIVE_KERNELS.map((k): WrappingKernel => ({
      kernelName: k.kernelName,
      backendName: 'wasm',
      wrap: (previous) => {
        if (previous !== undefined) replaced.set(k.kernelName, previous);
        return k.kernelFunc as KernelFunc;
      },
    })));
  } else {
    uninstall!();
    uninstall = undefined;
    // The restored wasm kernels' setup (their cwrap) runs on the live backend, which only did so for its own kernels.
    const live = findBackend('wasm');
    if (live != null) for (const k of replaced.values()) ensureSetUp(k, live);
    replaced.clear();
  }
  return on;
}
