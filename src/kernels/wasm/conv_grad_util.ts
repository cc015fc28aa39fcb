// Shared machinery for chanlab's wasm convolution-gradient kernels. They are compositions of the wasm backend's own
// fast kernels (XNNPACK matmul / conv, C++ pad, transpose, reductions) run from inside a kernelFunc, plus one plain
// copy loop (`im2colRows`) that writes an im2col matrix straight into the wasm heap.
//
// Geometry (NHWC, tfjs conventions): output row oh reads input row oh*sh + kh*dh - padTop (zero outside).
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Everything a conv-gradient kernel needs from `computeConv2DInfo`, plus the dy spatial size. */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  padTop: number;
  padLeft: number;
}

export function geometryOf(info: backend_util.Conv2DInfo): ConvGeometry {
  if (info.dataFormat !== 'channelsLast') {
    throw new Error(`dataFormat: chanlab's wasm conv-gradient kernels support 'NHWC' only, got '${info.dataFormat}'`);
  }
  return {
    batch: info.batchSize, inH: info.inHeight, inW: info.inWidth, inC: info.inChannels,
    outH: info.outHeight, outW: info.outWidth, outC: info.outChannels,
    kH: info.filterHeight, kW: info.filterWidth, strideH: info.strideHeight, strideW: info.strideWidth,
    dilH: info.dilationHeight, dilW: info.dilationWidth, padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

/** Wraps a kernel input as a Tensor usable by tfjs ops; the extra reference is dropped when the wrapper is disposed. */
export function wrapInput<R extends tf.Rank>(backend: BackendWasm, info: TensorInfo): tf.Tensor<R> {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend) as tf.Tensor<R>;
}

/** Turns an intermediate tensor into a kernel output: its buffer is kept alive, the tensor handle is released. */
export function keepAsOutput(backend: BackendWasm, t: tf.Tensor): TensorInfo {
  backend.incRef(t.dataId);
  const out: TensorInfo = { dataId: t.dataId, shape: t.shape.slice(), dtype: t.dtype };
  t.dispose();
  return out;
}

/** Runs `f` over wrapped inputs inside a tidy and returns its result as the kernel output. */
export function runComposite(backend: BackendWasm, inputs: TensorInfo[], f: (ts: tf.Tensor[]) => tf.Tensor): TensorInfo {
  const result = tf.tidy(() => f(inputs.map((i) => wrapInput(backend, i))));
  return keepAsOutput(backend, result);
}

/** Pads (positive amounts) or crops (negative amounts) the H and W axes of an NHWC tensor; `extraBatch` zero images
 *  are appended. One C++ Pad after an optional slice. */
export function padOrCrop4d(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number,
  extraBatch = 0): tf.Tensor4D {
  let t = x;
  const [b, h, w, c] = x.shape;
  const cropT = Math.max(0, -top), cropB = Math.max(0, -bottom), cropL = Math.max(0, -left), cropR = Math.max(0, -right);
  if (cropT + cropB + cropL + cropR > 0) {
    t = tf.slice(t, [0, cropT, cropL, 0], [b, h - cropT - cropB, w - cropL - cropR, c]);
  }
  const pT = Math.max(0, top), pB = Math.max(0, bottom), pL = Math.max(0, left), pR = Math.max(0, right);
  if (pT + pB + pL + pR + extraBatch > 0) {
    t = tf.pad(t, [[0, extraBatch], [pT, pB], [pL, pR], [0, 0]]);
  }
  return t;
}

/** Rows [r0, r1) of a 2-D tensor as a new tensor (one memcpy; tfjs's wasm Slice reads the whole input first). */
export function copyRows(backend: BackendWasm, t: tf.Tensor2D, r0: number, r1: number): tf.Tensor2D {
  const cols = t.shape[1];
  const outInfo = backend.makeOutput([r1 - r0, cols], 'float32');
  const out = tf.engine().makeTensorFromTensorInfo(outInfo, backend) as tf.Tensor2D;
  const src = backend.typedArrayFromHeap(t) as Float32Array;
  (backend.typedArrayFromHeap(out) as Float32Array).set(src.subarray(r0 * cols, r1 * cols));
  return out;
}

/** How an im2col of `rowsPerTap` rows per tap and `per` columns per image is cut into ~4 MB chunks: whole images
 *  per chunk (`batchStarts`), and taps per chunk when one image alone is over budget. */
export function chunkPlan(rowsPerTap: number, per: number, taps: number, batch: number):
  { taps: number; batchStarts: number[] } {
  const budget = 1 << 20; // floats
  const perImage = rowsPerTap * per;
  const tapStep = Math.max(1, Math.min(taps, Math.floor(budget / Math.max(1, perImage))));
  const nb = Math.max(1, Math.min(batch, Math.floor(budget / Math.max(1, perImage * tapStep))));
  const batchStarts: number[] = [];
  for (let b = 0; b < batch; b += nb) batchStarts.push(b);
  return { taps: tapStep, batchStarts };
}

/** One stride phase of a transposed convolution along one axis: which taps land on it and how to run it as a
 *  stride-1 forward convolution over dy. */
export interface AxisPhase {
  /** Filter taps (original indices), in the order the forward conv must see them (already flipped). */
  taps: number[];
  /** Dilation of the sub-filter. */
  dilation: number;
  /** Pad (>0) or crop (<0) of dy before the 'valid' forward conv. */
  before: number;
  after: number;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * For output phase r (input-gradient rows r, r+s, r+2s, …; q of them), the taps that reach it and the padding that
 * makes a stride-1 'valid' conv over dy produce exactly those rows. Derivation: padded row hp = h + pad = oh*s +
 * k*d; for h = i*s + r the taps with k*d ≡ (r+pad) mod s contribute dy[oh = i + q0 - floor(k*d/s)], q0 =
 * floor((r+pad)/s); those offsets are evenly spaced by d/gcd(d,s), so it is a dilated correlation with the flipped
 * sub-filter.
 */
export function axisPhase(r: number, s: number, k: number, d: number, pad: number, outLen: number,
  q: number): AxisPhase {
  const phi = (r + pad) % s;
  const q0 = Math.floor((r + pad) / s);
  const taps: number[] = [];
  for (let kk = 0; kk < k; kk++) if ((kk * d) % s === phi) taps.push(kk);
  if (taps.length === 0) return { taps, dilation: 1, before: 0, after: 0 };
  const aMin = Math.floor((taps[0] * d) / s);
  const aMax = Math.floor((taps[taps.length - 1] * d) / s);
  const dilation = d / gcd(d, s);
  return {
    taps: taps.reverse(),
    dilation,
    before: aMax - q0,
    after: q + q0 - outLen - aMin,
  };
}

/** Applies per-axis pad/crop to dy for one (row phase, col phase) pair. */
export function padForPhase(dy: tf.Tensor4D, ph: AxisPhase, pw: AxisPhase): tf.Tensor4D {
  return padOrCrop4d(dy, ph.before, ph.after, pw.before, pw.after);
}

/**
 * Gathers filter taps along axes 0 and 1 (e.g. the flipped sub-filter of one phase). Every (row, col) tap is a
 * contiguous [in, out] block, so this is a few block copies on the host; wasm's GatherV2/Reverse/StridedSlice
 * kernels take 100–300 ms for a 3×3×512×512 filter, this ~5 ms.
 */
export function gatherTaps<T extends tf.Tensor4D>(w: T, rows: number[], cols: number[]): tf.Tensor4D {
  const [kh, kw, ci, co] = w.shape;
  const block = ci * co;
  const src = w.dataSync() as Float32Array;
  const out = new Float32Array(rows.length * cols.length * block);
  let o = 0;
  for (const r of rows) {
    for (const c of cols) {
      if (r < 0 || r >= kh || c < 0 || c >= kw) throw new Error(`gatherTaps: tap (${r}, ${c}) outside a ${kh}×${kw} filter`);
      const at = (r * kw + c) * block;
      out.set(src.subarray(at, at + block), o);
      o += block;
    }
  }
  return tf.tensor4d(out, [rows.length, cols.length, ci, co]);
}

/**
 * Input gradient of a strided/dilated/padded convolution as stride-1 forward convolutions, one per output phase.
 * `phaseConv(dyPadded, ph, pw)` must return the phase's rows [B, qH, qW, C] (a 'valid' stride-1 conv with the
 * flipped sub-filter ph.taps × pw.taps and dilations ph.dilation/pw.dilation). Phases no tap reaches are zero.
 */
export function transposedConvByPhases(backend: BackendWasm, dy: tf.Tensor4D, g: ConvGeometry, outC: number,
  phaseConv: (dyPadded: tf.Tensor4D, ph: AxisPhase, pw: AxisPhase) => tf.Tensor4D): tf.Tensor4D {
  const sh = g.strideH, sw = g.strideW;
  const qH = Math.ceil(g.inH / sh), qW = Math.ceil(g.inW / sw);
  const parts: tf.Tensor4D[] = [];
  for (let rh = 0; rh < sh; rh++) {
    const ph = axisPhase(rh, sh, g.kH, g.dilH, g.padTop, g.outH, qH);
    for (let rw = 0; rw < sw; rw++) {
      const pw = axisPhase(rw, sw, g.kW, g.dilW, g.padLeft, g.outW, qW);
      if (ph.taps.length === 0 || pw.taps.length === 0) {
        parts.push(tf.zeros([g.batch, qH, qW, outC]));
      } else {
        parts.push(phaseConv(padForPhase(dy, ph, pw), ph, pw));
      }
    }
  }
  if (parts.length === 1) return parts[0]!;
  return interleavePhases(backend, parts, sh, sw, [g.batch, g.inH, g.inW, outC]);
}

/**
 * Direct im2col for taps [t0, t1) from NHWC x: out[(t-t0)*C + c, (b*OH + oh)*OW + ow] = x[b, oh*sh + kh*dh - pt,
 * ow*sw + kw*dw - pl, c] (zero outside). A plain copy loop into a fresh wasm-heap tensor. Channel-outer order: each
 * output row segment is written contiguously while the reads of one image row (OW·C floats) stay in L1; the
 * channel-inner order writes C streams a power-of-two stride apart and thrashes the cache (measured 5-10× slower).
 */
export function im2colRows(backend: BackendWasm, x: tf.Tensor4D, g: ConvGeometry, t0: number, t1: number,
  b0 = 0, b1 = g.batch): tf.Tensor2D {
  const { inH, inW, inC: c, outH, outW, strideH, strideW, dilH, dilW, padTop, padLeft } = g;
  const n = (b1 - b0) * outH * outW;
  const outInfo = backend.makeOutput([(t1 - t0) * c, n], 'float32');
  const out = tf.engine().makeTensorFromTensorInfo(outInfo, backend) as tf.Tensor2D;
  // Views are taken after the allocation: growing the heap detaches older views.
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const step = strideW * c;
  for (let t = t0; t < t1; t++) {
    const kh = Math.floor(t / g.kW), kw = t % g.kW;
    const rowBase = (t - t0) * c * n;
    const colOff = kw * dilW - padLeft;
    // Valid ow range: 0 <= ow*sw + colOff < inW.
    const owLo = Math.min(outW, Math.max(0, Math.ceil(-colOff / strideW)));
    const owHi = Math.max(owLo, Math.min(outW, Math.floor((inW - 1 - colOff) / strideW) + 1));
    for (let b = b0; b < b1; b++) {
      for (let oh = 0; oh < outH; oh++) {
        const ih = oh * strideH + kh * dilH - padTop;
        const col0 = ((b - b0) * outH + oh) * outW;
        if (ih < 0 || ih >= inH) {
          for (let ch = 0; ch < c; ch++) {
            const d0 = rowBase + ch * n + col0;
            dst.fill(0, d0, d0 + outW);
          }
          continue;
        }
        const srcRow = ((b * inH + ih) * inW + owLo * strideW + colOff) * c;
        for (let ch = 0; ch < c; ch++) {
          const d0 = rowBase + ch * n + col0;
          if (owLo > 0) dst.fill(0, d0, d0 + owLo);
          if (owHi < outW) dst.fill(0, d0 + owHi, d0 + outW);
          let s = srcRow + ch;
          for (let d = d0 + owLo, e = d0 + owHi; d < e; d++, s += step) dst[d] = src[s];
        }
      }
    }
  }
  return out;
}

/**
 * Interleaves stride-phase results into one NHWC tensor: out[b, i*sh + rh, j*sw + rw, c] = parts[rh*sw + rw][b, i, j,
 * c], cropped to [B, H, W, C]. A copy loop (runs of C floats) into a fresh wasm-heap tensor; tfjs's C++ transpose is
 * very slow for the rank-6 permutation this would otherwise need.
 */
export function interleavePhases(backend: BackendWasm, parts: tf.Tensor4D[], sh: number, sw: number,
  outShape: [number, number, number, number]): tf.Tensor4D {
  const [batch, h, w, c] = outShape;
  const outInfo = backend.makeOutput(outShape, 'float32');
  const out = tf.engine().makeTensorFromTensorInfo(outInfo, backend) as tf.Tensor4D;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  for (let rh = 0; rh < sh; rh++) {
    for (let rw = 0; rw < sw; rw++) {
      const part = parts[rh * sw + rw]!;
      const [, qh, qw] = part.shape;
      const src = backend.typedArrayFromHeap(part) as Float32Array;
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < qh; i++) {
          const row = i * sh + rh;
          if (row >= h) break;
          for (let j = 0; j < qw; j++) {
            const col = j * sw + rw;
            if (col >= w) break;
            const s = ((b * qh + i) * qw + j) * c;
            dst.set(src.subarray(s, s + c), ((b * h + row) * w + col) * c);
          }
        }
      }
    }
  }
  return out;
}
