// webgpu kernel for ChanlabPix: one WGSL dispatch (PixProgram). p is not scanned for NaN here (that would need a
// GPU->CPU read); the op does it when asked (PixOptions.checkNaN), see src/ops/pix/pix.ts.
import { type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ChanlabPix } from '../../ops/pix/kernel_names.js';
import { pixKernelArgs } from '../pix/args.js';
import { PixProgram, pixUniforms } from './PixPrograms.js';

const pixWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGPUBackend;
  const { a, x, p, d } = pixKernelArgs(inputs, attrs);
  const program = new PixProgram(d);
  return b.runWebGPUProgram(program, [x, p], 'float32', pixUniforms(d, a, d.N * d.HW * d.G));
};

export const pixWebGPUConfig: KernelConfig = {
  kernelName: ChanlabPix, backendName: 'webgpu', kernelFunc: pixWebGPU,
};
