// webgpu kernels for ChanlabDgcHeads / ChanlabDgcHeadsGrad: the shared driver (src/kernels/dgc/driver.ts) with the
// element-wise passes as WGSL dispatches (DgcPrograms.ts) and the backend's own conv, slice and concat kernels.
// Nothing returns to the CPU.
import { Concat, getKernel, type KernelConfig, type KernelFunc, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { dgcHeadsKernelConfigs, type DgcElementwise } from '../dgc/driver.js';
import {
  DgcInputGradProgram, DgcInterleaveProgram, DgcSaliencyGradProgram, DgcScaleProgram, DgcTakeHeadProgram, dgcUniforms,
} from './DgcPrograms.js';

function webgpuElementwise(backend: unknown): DgcElementwise {
  const b = backend as WebGPUBackend;
  const dispose = (t: TensorInfo) => b.disposeData(t.dataId);
  return {
    backendName: 'webgpu',
    backend,
    dispose,
    scaleHead(a, g, i, d) {
      const shape = [d.B, d.H, d.W, d.C];
      const n = d.B * d.H * d.W * d.C;
      return b.runWebGPUProgram(new DgcScaleProgram(shape, n), [a, g], 'float32', dgcUniforms(d, n, i));
    },
    interleave(ys, d) {
      const shape = [d.B, d.Ho, d.Wo, d.Co];
      const n = d.B * d.Ho * d.Wo * d.Co;
      return b.runWebGPUProgram(new DgcInterleaveProgram(shape, n, d.h), ys, 'float32', dgcUniforms(d, n, 0));
    },
    takeHead(dy, i, d) {
      const shape = [d.B, d.Ho, d.Wo, d.cph];
      const n = d.B * d.Ho * d.Wo * d.cph;
      return b.runWebGPUProgram(new DgcTakeHeadProgram(shape, n), [dy], 'float32', dgcUniforms(d, n, i));
    },
    reduceHead(dx, a, g, i, d, acc) {
      const shape = [d.B, d.H, d.W, d.C];
      const n = d.B * d.H * d.W * d.C;
      const prev = acc.da;
      acc.da = b.runWebGPUProgram(new DgcInputGradProgram(shape, n, prev !== null), prev ? [dx, g, prev] : [dx, g],
        'float32', dgcUniforms(d, n, i));
      if (prev) dispose(prev);
      const m = d.B * d.C;
      acc.dg.push(b.runWebGPUProgram(new DgcSaliencyGradProgram([1, d.B, d.C], m), [dx, a], 'float32', dgcUniforms(d, m, i)));
    },
    finishDg(acc) {
      const rows = acc.dg.splice(0);
      if (rows.length === 1) return rows[0]!;
      const k = getKernel(Concat, 'webgpu')!;
      try {
        return (k.kernelFunc as KernelFunc)({ inputs: rows as unknown as NamedTensorInfoMap, backend: b as never, attrs: { axis: 0 } }) as TensorInfo;
      } finally {
        rows.forEach(dispose);
      }
    },
  };
}

const kernels = dgcHeadsKernelConfigs('webgpu', webgpuElementwise);
export const dgcHeadsWebGPUConfig: KernelConfig = kernels.forward;
export const dgcHeadsGradWebGPUConfig: KernelConfig = kernels.backward;
