// webgpu kernel for ChanlabPixGrad: two WGSL dispatches. PixGradXProgram writes every dx element exactly once;
// PixGradPProgram reduces dp over H*W in workgroup shared memory. Both read x and dy; nothing returns to the CPU.
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ChanlabPixGrad } from '../../ops/pix/kernel_names.js';
import { pixKernelArgs } from '../pix/args.js';
import { PixGradPProgram, PixGradXProgram, pixUniforms } from './PixPrograms.js';

const pixGradWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGPUBackend;
  const { a, x, p, d } = pixKernelArgs(inputs, attrs);
  const dy = inputs.dy as TensorInfo;
  const dx = b.runWebGPUProgram(new PixGradXProgram(d), [x, p, dy], 'float32',
    pixUniforms(d, a, d.N * d.HW * d.G));
  // dp takes p's shape ([N,G], or [N,1,1,G] if a caller passes that: same bytes); the program writes n*G + g.
  const dp = b.runWebGPUProgram(new PixGradPProgram(d), [x, p, dy], 'float32', pixUniforms(d, a, d.N),
    b.makeTensorInfo([...p.shape], 'float32'));
  return [dx, dp];
};

export const pixGradWebGPUConfig: KernelConfig = {
  kernelName: ChanlabPixGrad, backendName: 'webgpu', kernelFunc: pixGradWebGPU,
};
