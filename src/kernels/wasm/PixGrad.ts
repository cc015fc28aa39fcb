// wasm kernel for ChanlabPixGrad: one pass over x and dy in the wasm heap. Every dx element is written exactly
// once (the heap allocation is not zeroed, so non-selected channels get an explicit 0); dp accumulates in float64.
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { ChanlabPixGrad, PIX_LOWEST } from '../../ops/pix/kernel_names.js';
import { pixKernelArgs } from '../pix/args.js';
import {
  fillModes, MODE_AVG, MODE_MAX, MODE_MIN, pixTables, type WasmBackendLike,
} from './PixCommon.js';

const pixGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmBackendLike;
  const { a, x: xInfo, p: pInfo, d } = pixKernelArgs(inputs, attrs);
  const dyInfo = inputs.dy as TensorInfo;
  const { N, C, G, HW, zeta } = d;
  const dxInfo = b.makeOutput([...xInfo.shape], 'float32');
  const dpInfo = b.makeOutput([...pInfo.shape], 'float32');
  const x = b.typedArrayFromHeap(xInfo);
  const p = b.typedArrayFromHeap(pInfo);
  const dy = b.typedArrayFromHeap(dyInfo);
  const dx = b.typedArrayFromHeap(dxInfo);
  const dp = b.typedArrayFromHeap(dpInfo);
  const { sizes, divs, modes } = pixTables(p, d, a);
  const acc = new Float64Array(G);
  for (let n = 0; n < N; n++) {
    fillModes(modes, p, n, G, a);
    acc.fill(0);
    const po = n * G;
    for (let hw = 0; hw < HW; hw++) {
      const row = n * HW + hw;
      const xo = row * C;
      const yo = row * G;
      for (let g = 0; g < G; g++) {
        const lo = xo + g * zeta;
        const hi = lo + sizes[g];
        const pi = p[po + g];
        const gy = dy[yo + g];
        const mode = modes[g];
        if (mode === MODE_AVG) {
          let s = 0;
          const share = (pi * gy) / divs[g];
          for (let i = lo; i < hi; i++) { s += x[i]; dx[i] = share; }
          acc[g] += gy * (s / divs[g]);
        } else if (mode === MODE_MAX || mode === MODE_MIN) {
          const sign = mode === MODE_MAX ? 1 : -1;
          let m = PIX_LOWEST;
          let am = lo;
          for (let i = lo; i < hi; i++) {
            const v = sign * x[i];
            if (m < v) { m = v; am = i; }
            dx[i] = 0;
          }
          dx[am] = pi * gy;
          acc[g] += gy * sign * m;
        } else {
          let m = PIX_LOWEST;
          let am = lo;
          let s = 0;
          const share = ((1 - pi) * gy) / divs[g];
          for (let i = lo; i < hi; i++) {
            const v = x[i];
            if (m < v) { m = v; am = i; }
            s += v;
            dx[i] = share;
          }
          dx[am] = share + pi * gy;
          acc[g] += gy * (m - s / divs[g]);
        }
      }
    }
    for (let g = 0; g < G; g++) dp[po + g] = acc[g];
  }
  return [dxInfo, dpInfo];
};

export const pixGradWasmConfig: KernelConfig = {
  kernelName: ChanlabPixGrad, backendName: 'wasm', kernelFunc: pixGradWasm,
};
