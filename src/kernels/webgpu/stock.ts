// tfjs's own webgpu kernels that chanlab's replace (kept while chanlab's are on): a chanlab kernel hands a call it
// does not cover (NCHW, an activation it does not fuse, a dtype other than float32) to the stock one.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

export const stockKernels = new Map<string, KernelConfig>();

/** Runs tfjs's stock webgpu kernel `name` on the same arguments. */
export function stock(name: string, args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] {
  const k = stockKernels.get(name);
  if (k === undefined) throw new Error(`${name}: no stock webgpu kernel to fall back to`);
  return k.kernelFunc(args);
}
