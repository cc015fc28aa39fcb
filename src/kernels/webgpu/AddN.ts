// AddN on webgpu for any number of inputs. tfjs 4.22's webgpu AddN binds every input as its own storage buffer in one
// shader; WebGPU's default limit is 8 per stage (tfjs does not request the adapter's), so a sum of more than 7 tensors
// (a gradient accumulated over many uses of one tensor, e.g. a DGC layer's input feeding every head) made an invalid
// pipeline: Dawn printed a validation error and the result was garbage. This wraps the stock kernel and sums in
// chunks that fit, then sums the partial results — the same treatment tfjs gives Concat.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { WrappingKernel } from '../install.js';

/** The chunked AddN over the stock webgpu kernel (installed when the webgpu backend is loaded). */
export const addNWebGPUKernel: WrappingKernel = {
  kernelName: 'AddN',
  backendName: 'webgpu',
  wrap: (stock) => {
    if (stock === undefined) throw new Error('AddN (webgpu): the stock kernel is not registered (import @tensorflow/tfjs-backend-webgpu first)');
    const stockFunc = stock.kernelFunc;
    const addN: KernelFunc = (args) => {
      const b = args.backend as unknown as WebGPUBackend;
      const inputs = args.inputs as unknown as TensorInfo[];
      // one storage buffer is the output
      const maxInputs = Math.max(2, b.device.limits.maxStorageBuffersPerShaderStage - 1);
      if (inputs.length <= maxInputs) return stockFunc(args);
      const partials: TensorInfo[] = [];
      for (let i = 0; i < inputs.length;) {
        // no chunk of one: the stock kernel returns its input itself for a single tensor
        const left = inputs.length - i;
        const n = left <= maxInputs ? left : left === maxInputs + 1 ? maxInputs - 1 : maxInputs;
        partials.push(stockFunc({ ...args, inputs: inputs.slice(i, i + n) as unknown as typeof args.inputs }) as TensorInfo);
        i += n;
      }
      const out = addN({ ...args, inputs: partials as unknown as typeof args.inputs }) as TensorInfo;
      for (const p of partials) b.disposeData(p.dataId);
      return out;
    };
    return addN;
  },
};
