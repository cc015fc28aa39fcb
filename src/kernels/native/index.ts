// Registers the native (oneDNN / C++) kernels for the wasm backend when the addon is loaded, replacing the wasm
// kernels of the same names (kept in `replaced` for fallback and for switching back). Every other op keeps its
// wasm kernel: the native ones read and write the same wasm heap, so tensors never move.
// The wasm backend's own kernels must be registered first, so that ours replace them.
import '@tensorflow/tfjs-backend-wasm';
import { findBackend, getKernel, registerKernel, unregisterKernel, type KernelFunc } from '@tensorflow/tfjs-core';
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

let enabled = false;

/** Whether the native kernels are registered for the wasm backend now. */
export function nativeKernelsEnabled(): boolean {
  return enabled;
}

/**
 * Switches the wasm backend between native and pure-wasm kernels (e.g. to compare them in one process). Turning
 * them on needs the addon; returns whether they are on afterwards.
 */
export function setNativeKernels(on: boolean): boolean {
  if (on === enabled) return enabled;
  if (on) {
    if (nativeAddon() === undefined) return false;
    for (const k of NATIVE_KERNELS) {
      const prev = getKernel(k.kernelName, 'wasm');
      if (prev != null) {
        replaced.set(k.kernelName, prev);
        unregisterKernel(k.kernelName, 'wasm');
      }
      registerKernel({ kernelName: k.kernelName, backendName: 'wasm', kernelFunc: k.kernelFunc as KernelFunc });
    }
  } else {
    for (const k of NATIVE_KERNELS) {
      unregisterKernel(k.kernelName, 'wasm');
      const prev = replaced.get(k.kernelName);
      if (prev === undefined) continue;
      registerKernel(prev);
      const live = findBackend('wasm');
      if (live != null) ensureSetUp(prev, live);
    }
    replaced.clear();
  }
  enabled = on;
  return enabled;
}
