// cpu kernel for ChanlabPix: the reference implementation, a direct transcription of the official CUDA forward
// (docs/methods/pix.md §1.2) in float32 arithmetic (Math.fround after every operation, same order as the kernel).
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { ChanlabPix, PIX_LOWEST, type PixAttrs } from '../../ops/pix/kernel_names.js';
import { assertNoNaN, avgDivisorOf, groupSize, pixDims } from '../../ops/pix/shape.js';
import { pixKernelArgs } from '../pix/args.js';

const f = Math.fround;

/** Minimal view of tfjs-backend-cpu's MathBackendCPU used here. */
export interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

export function cpuValues(backend: CpuBackendLike, t: TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

/** y[n,h,w,g] for one output element; also used by the cpu backward (val = unscaled reduction). */
export function pixForwardCpu(x: Float32Array, p: Float32Array, shape: number[], attrs: PixAttrs): Float32Array {
  const d = pixDims(shape, attrs.zeta);
  const { N, C, G, HW, zeta } = d;
  const y = new Float32Array(N * HW * G);
  for (let n = 0; n < N; n++) {
    for (let hw = 0; hw < HW; hw++) {
      const xo = (n * HW + hw) * C;
      for (let g = 0; g < G; g++) {
        const pi = p[n * G + g];
        const lo = xo + g * zeta;
        const r = groupSize(d, g);
        const div = avgDivisorOf(d, g, attrs);
        let m = PIX_LOWEST;
        for (let j = 0; j < r; j++) if (m < x[lo + j]) m = x[lo + j];
        let mn = -PIX_LOWEST;
        for (let j = 0; j < r; j++) if (mn > x[lo + j]) mn = x[lo + j];
        let s = 0;
        for (let j = 0; j < r; j++) s = f(s + x[lo + j]);
        let out: number;
        switch (attrs.reduce) {
          case 'pick-or-mix': out = pi < attrs.tau ? f(pi * m) : f(f(pi * s) / div); break;
          case 'max': out = f(pi * m); break;
          case 'avg': out = f(f(pi * s) / div); break;
          case 'min': out = f(pi * mn); break;
          case 'w-pix': out = f(f(pi * m) + f(f(1 - pi) * f(s / div))); break;
        }
        y[(n * HW + hw) * G + g] = out;
      }
    }
  }
  return y;
}

const pixCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackendLike;
  const { a, x, p, d } = pixKernelArgs(inputs, attrs);
  const pv = cpuValues(b, p);
  if (a.checkNaN) assertNoNaN(pv, d.G);
  const y = pixForwardCpu(cpuValues(b, x), pv, x.shape, a);
  return b.makeTensorInfo([d.N, d.H, d.W, d.G], 'float32', y);
};

export const pixCpuConfig: KernelConfig = { kernelName: ChanlabPix, backendName: 'cpu', kernelFunc: pixCpu };
