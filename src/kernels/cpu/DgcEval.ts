// cpu kernel for ChanlabDgcEval (docs/methods/dgc.md §1.3, §8.3): the reference of the kept-channel eval pass in plain
// loops. Per sample: a = relu(BN(x)), z = mean_HW(a), per head the saliency MLP, the gate (values above the row's
// kDrop-th smallest), the list of kept channels, and the head's convolution over those channels only.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { ChanlabDgcEval, type DgcEvalAttrs } from '../../ops/dgc/kernel_names.js';
import { cpuValues, type CpuBackendLike } from './Pix.js';

const evalKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = backend as CpuBackendLike;
  const at = attrs as unknown as DgcEvalAttrs;
  const t = inputs as Record<'x' | 'mean' | 'variance' | 'gamma' | 'beta' | 'w1' | 'w2' | 'b2' | 'w', TensorInfo>;
  const [x, mean, variance, gamma, beta, w1, w2, b2, w] = (['x', 'mean', 'variance', 'gamma', 'beta', 'w1', 'w2', 'b2', 'w'] as const)
    .map((n) => cpuValues(be, t[n])) as [Float32Array, ...Float32Array[]];
  const [B, H, W, C] = t.x.shape as [number, number, number, number];
  const [k, , , Co] = t.w.shape as [number, number, number, number];
  const h = at.heads, d = t.w1.shape[1]!, cph = Co / h, s = at.stride, pad = at.padding;
  const Ho = Math.floor((H + 2 * pad - k) / s) + 1, Wo = Math.floor((W + 2 * pad - k) / s) + 1;
  const y = new Float32Array(B * Ho * Wo * Co);
  const gated = new Float32Array(h * B * C);
  const a = new Float32Array(H * W * C);
  for (let b = 0; b < B; b++) {
    const z = new Float64Array(C);
    for (let p = 0; p < H * W; p++) {
      for (let c = 0; c < C; c++) {
        // tfjs-backend-cpu's BatchNorm arithmetic, then ReLU
        const v = Math.max(Math.fround(beta![c]! + (x[(b * H * W + p) * C + c]! - mean![c]!) * gamma![c]! / Math.sqrt(variance![c]! + at.epsilon)), 0);
        a[p * C + c] = v;
        z[c]! += v;
      }
    }
    for (let c = 0; c < C; c++) z[c] = z[c]! / (H * W);
    for (let i = 0; i < h; i++) {
      const row = i * B + b;
      const hid = Array.from({ length: d }, (_, j) => {
        let v = 0;
        for (let c = 0; c < C; c++) v += z[c]! * w1![(i * d + j) * C + c]!;
        return Math.max(v, 0);
      });
      const g = Array.from({ length: C }, (_, c) => {
        let v = b2![i * C + c]!;
        for (let j = 0; j < d; j++) v += hid[j]! * w2![(i * d + j) * C + c]!;
        return Math.fround(Math.max(v, 0));
      });
      const th = at.inactive > 0 ? [...g].sort((p, q) => p - q)[at.inactive - 1]! : -1;
      const kept: number[] = [];
      g.forEach((v, c) => {
        if (v > th && v !== 0) kept.push(c);
        gated[row * C + c] = v > th ? v : 0;
      });
      for (let oy = 0; oy < Ho; oy++) {
        for (let ox = 0; ox < Wo; ox++) {
          const out = ((b * Ho + oy) * Wo + ox) * Co;
          for (let j = 0; j < cph; j++) {
            let acc = 0;
            for (const c of kept) {
              for (let ky = 0; ky < k; ky++) {
                const iy = oy * s + ky - pad;
                if (iy < 0 || iy >= H) continue;
                for (let kx = 0; kx < k; kx++) {
                  const ix = ox * s + kx - pad;
                  if (ix < 0 || ix >= W) continue;
                  acc += a[(iy * W + ix) * C + c]! * g[c]! * w![((ky * k + kx) * C + c) * Co + i * cph + j]!;
                }
              }
            }
            y[out + j * h + i] = acc;
          }
        }
      }
    }
  }
  return [be.makeTensorInfo([B, Ho, Wo, Co], 'float32', y), be.makeTensorInfo([h, B, C], 'float32', gated)];
};

export const dgcEvalCpuConfig: KernelConfig = { kernelName: ChanlabDgcEval, backendName: 'cpu', kernelFunc: evalKernel };
