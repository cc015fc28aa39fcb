// Wraps every kernel registered for a backend with enter/exit callbacks (the profilers' view of which tfjs kernel is
// running and for how long on the host), and restores the originals. Kernels that call other kernels' functions
// directly are nested: `depth` is 0 for the kernel the engine ran.
import * as tf from '@tensorflow/tfjs-core';
import { installKernels } from '../kernels/install.js';

export interface KernelCall {
  kernel: string;
  /** Shape of the call's first input (x for convolutions), or [] */
  shape: readonly number[];
  depth: number;
}

export interface KernelHooks {
  enter(call: KernelCall): void;
  /** `ms`: host wall time of the kernel function (its whole time on synchronous backends). */
  exit(call: KernelCall, ms: number): void;
}

/** Installs the hooks on every kernel of `backend` (through installKernels); returns the function that removes them. */
export function hookKernels(backend: string, hooks: KernelHooks): () => void {
  let depth = 0;
  const hooked = (k: tf.KernelConfig): tf.KernelConfig => ({
    ...k,
    kernelFunc: (args) => {
      const first = args.inputs.x ?? Object.values(args.inputs)[0];
      const call: KernelCall = { kernel: k.kernelName, shape: first ? first.shape : [], depth };
      hooks.enter(call);
      depth++;
      const t0 = performance.now();
      try {
        return k.kernelFunc(args);
      } finally {
        depth--;
        hooks.exit(call, performance.now() - t0);
      }
    },
  });
  return installKernels(tf.getKernelsForBackend(backend).map(hooked));
}
