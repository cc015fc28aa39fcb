// wasm kernel for ChanlabPix: tight JS loops reading x and p and writing y directly in the wasm heap (no copies).
// Pixel-major traversal (NHWC keeps a pixel's C channels contiguous); the branch is fixed per (n, g).
import { type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import { ChanlabPix, PIX_LOWEST } from '../../ops/pix/kernel_names.js';
import { pixKernelArgs } from '../pix/args.js';
import {
  fillModes, MODE_AVG, MODE_MAX, MODE_MIN, pixTables, type WasmBackendLike,
} from './PixCommon.js';

const pixWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmBackendLike;
  const { a, x: xInfo, p: pInfo, d } = pixKernelArgs(inputs, attrs);
  const { N, C, G, HW, zeta } = d;
  const out = b.makeOutput([d.N, d.H, d.W, G], 'float32');
  // Views are taken after the allocation above (it may grow, and so detach, the heap).
  const x = b.typedArrayFromHeap(xInfo);
  const p = b.typedArrayFromHeap(pInfo);
  const y = b.typedArrayFromHeap(out);
  const { sizes, divs, modes } = pixTables(p, d, a);
  for (let n = 0; n < N; n++) {
    fillModes(modes, p, n, G, a);
    const po = n * G;
    for (let hw = 0; hw < HW; hw++) {
      const row = n * HW + hw;
      const xo = row * C;
      const yo = row * G;
      for (let g = 0; g < G; g++) {
        const lo = xo + g * zeta;
        const hi = lo + sizes[g];
        const pi = p[po + g];
        const mode = modes[g];
        if (mode === MODE_MAX) {
          let m = PIX_LOWEST;
          for (let i = lo; i < hi; i++) { const v = x[i]; if (m < v) m = v; }
          y[yo + g] = pi * m;
        } else if (mode === MODE_AVG) {
          let s = 0;
          for (let i = lo; i < hi; i++) s += x[i];
          y[yo + g] = (pi * s) / divs[g];
        } else if (mode === MODE_MIN) {
          let m = -PIX_LOWEST;
          for (let i = lo; i < hi; i++) { const v = x[i]; if (m > v) m = v; }
          y[yo + g] = pi * m;
        } else {
          let m = PIX_LOWEST;
          let s = 0;
          for (let i = lo; i < hi; i++) { const v = x[i]; if (m < v) m = v; s += v; }
          y[yo + g] = pi * m + (1 - pi) * (s / divs[g]);
        }
      }
    }
  }
  return out;
};

export const pixWasmConfig: KernelConfig = { kernelName: ChanlabPix, backendName: 'wasm', kernelFunc: pixWasm };
