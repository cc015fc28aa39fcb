// MaxPoolGrad for the wasm backend, replacing tfjs 4.22's own wasm kernel, which is wrong: with 'same' padding and
// stride 2 on odd sizes it drops gradient entries, and with numeric/explicit padding it reads out of bounds
// ("memory access out of bounds"); see test/kernels/wasm-train-ops.test.ts. Semantics follow tfjs's cpu kernel: each
// window's gradient goes to the first (row-major) position holding its maximum. One pass over the windows of NHWC
// data in the wasm heap, channels innermost (contiguous reads).
import {
  backend_util, MaxPoolGrad, type KernelConfig, type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const a = attrs as unknown as {
    filterSize: number | [number, number]; strides: number | [number, number]; pad: Pad;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize,
    a.strides, 1, a.pad, a.dimRoundingMode);
  const { batchSize: batch, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  if (dy.shape[1] !== oh || dy.shape[2] !== ow || dy.shape[3] !== c) {
    throw new Error(`dy: expected shape [${batch},${oh},${ow},${c}], got [${dy.shape}]`);
  }
  const out = b.makeOutput(input.shape, 'float32');
  // Views after the allocation (heap growth detaches older views). makeOutput memory is not zeroed.
  const x = b.typedArrayFromHeap(input) as Float32Array;
  const g = b.typedArrayFromHeap(dy) as Float32Array;
  const dx = b.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const best = new Float32Array(c);
  const pos = new Int32Array(c);
  const { strideHeight: sh, strideWidth: sw, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { top, left } = info.padInfo;
  for (let n = 0; n < batch; n++) {
    for (let r = 0; r < oh; r++) {
      const r0 = Math.max(0, r * sh - top), r1 = Math.min(h, r * sh - top + fh);
      for (let q = 0; q < ow; q++) {
        const c0 = Math.max(0, q * sw - left), c1 = Math.min(w, q * sw - left + fw);
        best.fill(Number.NEGATIVE_INFINITY);
        pos.fill(-1);
        for (let i = r0; i < r1; i++) {
          for (let j = c0; j < c1; j++) {
            const base = ((n * h + i) * w + j) * c;
            for (let k = 0; k < c; k++) {
              const v = x[base + k]!;
              if (v > best[k]!) {
                best[k] = v;
                pos[k] = base + k;
              }
            }
          }
        }
        const gBase = ((n * oh + r) * ow + q) * c;
        for (let k = 0; k < c; k++) {
          const p = pos[k]!;
          if (p >= 0) dx[p] += g[gBase + k]!;
        }
      }
    }
  }
  return out;
};

export const maxPoolGradWasmConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};

// Replace tfjs's faulty kernel without the "already registered" warning.
