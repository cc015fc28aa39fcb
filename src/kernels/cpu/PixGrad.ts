// cpu kernel for ChanlabPixGrad: reference backward of the official CUDA kernel (docs/methods/pix.md §2).
// dx: the max/min branch routes p*gy to the FIRST arg-extremum only (strict comparison), the avg branch gives
// (p*gy)/divisor to every real channel; dp[n,g] = sum_hw gy * (unscaled value of the chosen reduction).
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { ChanlabPixGrad, PIX_LOWEST, type PixAttrs } from '../../ops/pix/kernel_names.js';
import { assertNoNaN, avgDivisorOf, groupSize, pixDims } from '../../ops/pix/shape.js';
import { pixKernelArgs } from '../pix/args.js';
import { cpuValues, type CpuBackendLike } from './Pix.js';

const f = Math.fround;

export function pixBackwardCpu(x: Float32Array, p: Float32Array, dy: Float32Array, shape: number[], attrs: PixAttrs):
{ dx: Float32Array; dp: Float32Array } {
  const d = pixDims(shape, attrs.zeta);
  const { N, C, G, HW, zeta } = d;
  const dx = new Float32Array(x.length);
  const dp = new Float32Array(N * G);
  const dpAcc = new Float64Array(N * G);
  for (let n = 0; n < N; n++) {
    for (let hw = 0; hw < HW; hw++) {
      const xo = (n * HW + hw) * C;
      for (let g = 0; g < G; g++) {
        const pi = p[n * G + g];
        const gy = dy[(n * HW + hw) * G + g];
        const lo = xo + g * zeta;
        const r = groupSize(d, g);
        const div = avgDivisorOf(d, g, attrs);
        let m = PIX_LOWEST;
        let am = 0;
        for (let j = 0; j < r; j++) if (m < x[lo + j]) { m = x[lo + j]; am = j; }
        let mn = -PIX_LOWEST;
        let amn = 0;
        for (let j = 0; j < r; j++) if (mn > x[lo + j]) { mn = x[lo + j]; amn = j; }
        let s = 0;
        for (let j = 0; j < r; j++) s = f(s + x[lo + j]);
        const pgy = f(pi * gy);
        const mode = attrs.reduce === 'pick-or-mix' ? (pi < attrs.tau ? 'max' : 'avg') : attrs.reduce;
        let val: number;
        switch (mode) {
          case 'max':
            dx[lo + am] = pgy;
            val = m;
            break;
          case 'min':
            dx[lo + amn] = pgy;
            val = mn;
            break;
          case 'avg': {
            const share = f(pgy / div);
            for (let j = 0; j < r; j++) dx[lo + j] = share;
            val = f(s / div);
            break;
          }
          default: { // 'w-pix': p*max + (1-p)*avg
            const share = f(f(f(1 - pi) * gy) / div);
            for (let j = 0; j < r; j++) dx[lo + j] = share;
            dx[lo + am] = f(dx[lo + am] + pgy);
            val = f(m - f(s / div));
          }
        }
        dpAcc[n * G + g] += f(gy * val);
      }
    }
  }
  for (let i = 0; i < dp.length; i++) dp[i] = dpAcc[i];
  return { dx, dp };
}

const pixGradCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackendLike;
  const { a, x, p, d } = pixKernelArgs(inputs, attrs);
  const dy = inputs.dy as TensorInfo;
  const pv = cpuValues(b, p);
  if (a.checkNaN) assertNoNaN(pv, d.G);
  const { dx, dp } = pixBackwardCpu(cpuValues(b, x), pv, cpuValues(b, dy), x.shape, a);
  return [b.makeTensorInfo([...x.shape], 'float32', dx), b.makeTensorInfo([...p.shape], 'float32', dp)];
};

export const pixGradCpuConfig: KernelConfig = {
  kernelName: ChanlabPixGrad, backendName: 'cpu', kernelFunc: pixGradCpu,
};
