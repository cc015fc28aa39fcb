// Test helpers for the conv kernels: the cases they share, seeded inputs, the same computation on two backends, and
// a naive reference for any stride/dilation/padding/groups (tfjs's cpu Conv2DBackprop* kernels ignore dilations).
import * as tf from '@tensorflow/tfjs-core';
import { randArray, relErr } from '../helpers/tensors.js';

export type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
export type Shape4 = [number, number, number, number];

/** One convolution: x [B,H,W,C], kernel [KH,KW], output channels (regular) or channel multiplier (depthwise). */
export interface ConvCase {
  x: Shape4;
  k: [number, number];
  outC: number;
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: Pad;
}

/** The regular cases every conv-kernel test starts with: 3×3 'same' at strides 1 and 2, a rectangular 'valid'
 *  kernel at stride 2, explicit asymmetric padding with unequal strides. */
export const FIRST_REGULAR: readonly ConvCase[] = [
  { x: [2, 7, 9, 3], k: [3, 3], outC: 5, strides: 1, dilations: 1, pad: 'same' },
  { x: [2, 7, 9, 3], k: [3, 3], outC: 5, strides: 2, dilations: 1, pad: 'same' },
  { x: [3, 9, 7, 4], k: [3, 2], outC: 6, strides: 2, dilations: 1, pad: 'valid' },
  { x: [2, 9, 7, 5], k: [3, 3], outC: 4, strides: [2, 1], dilations: 1, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
];

/** The depthwise cases every conv-kernel test starts with: 3×3 'same', multiplier 1 at stride 1, 2 at stride 2. */
export const FIRST_DEPTHWISE: readonly ConvCase[] = [
  { x: [2, 7, 9, 3], k: [3, 3], outC: 1, strides: 1, dilations: 1, pad: 'same' },
  { x: [2, 7, 9, 3], k: [3, 3], outC: 2, strides: 2, dilations: 1, pad: 'same' },
];

export function convLabel(c: ConvCase): string {
  return `x=${c.x} k=${c.k} out=${c.outC} s=${c.strides} d=${c.dilations} pad=${JSON.stringify(c.pad)}`;
}

/** The filter shape [KH,KW,C,outC], conv info and seeded inputs of a case: x (seed 1), w (seed 2), dy (seed 3). */
export function convData(c: ConvCase, depthwise: boolean) {
  const filterShape: Shape4 = [c.k[0], c.k[1], c.x[3], c.outC];
  const info = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.strides, c.dilations, c.pad, undefined, depthwise);
  return { info, filterShape, xv: randArray(c.x, 1), wv: randArray(filterShape, 2), dyv: randArray(info.outShape, 3) };
}

/** Runs `f` on `backend` and returns the values of its (single) output. */
export async function valuesOn(backend: string, f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const t = f();
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

/** relErr of `f` (run in a tidy) on `backend` against the same on cpu. */
export async function parityWithCpu(backend: string, f: () => tf.Tensor): Promise<number> {
  const got = await valuesOn(backend, () => tf.tidy(f));
  return relErr(got, await valuesOn('cpu', () => tf.tidy(f)));
}

/** Naive y, dW and dx of y = conv2d(x, w) (NHWC, w [KH,KW,C/groups,CO], PyTorch's grouping) for any
 *  stride/dilation/padding/groups. */
export function naiveConvGrads(x: Float32Array, xShape: number[], w: Float32Array, wShape: number[], dy: Float32Array,
  info: tf.backend_util.Conv2DInfo, groups = 1): { dw: Float32Array; dx: Float32Array; y: Float32Array } {
  const [B, H, W, C] = xShape;
  const [KH, KW, Cg, CO] = wShape;
  const COg = CO / groups;
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dwl } = info;
  const { top, left } = info.padInfo;
  const dw = new Float32Array(w.length);
  const dx = new Float32Array(x.length);
  const y = new Float32Array(B * OH * OW * CO);
  for (let b = 0; b < B; b++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    for (let kh = 0; kh < KH; kh++) {
      const ih = oh * sh + kh * dh - top;
      if (ih < 0 || ih >= H) continue;
      for (let kw = 0; kw < KW; kw++) {
        const iw = ow * sw + kw * dwl - left;
        if (iw < 0 || iw >= W) continue;
        for (let c = 0; c < C; c++) {
          const xi = ((b * H + ih) * W + iw) * C + c;
          const g = Math.floor(c / Cg);
          for (let o = g * COg; o < (g + 1) * COg; o++) {
            const yi = ((b * OH + oh) * OW + ow) * CO + o;
            const wi = ((kh * KW + kw) * Cg + (c - g * Cg)) * CO + o;
            dw[wi] += x[xi] * dy[yi];
            dx[xi] += w[wi] * dy[yi];
            y[yi] += x[xi] * w[wi];
          }
        }
      }
    }
  }
  return { dw, dx, y };
}

/** Naive y, dW and dx of y = depthwiseConv2d(x, w) (NHWC, w [KH,KW,C,M]) for any stride/dilation/padding: the
 *  grouped convolution with C groups of one channel, whose weight [KH,KW,1,C·M] has the same memory layout and whose
 *  output channel c·M + m is tfjs's. (tfjs's cpu DepthwiseConv2dNativeBackprop* kernels ignore dilations.) */
export function naiveDepthwiseGrads(x: Float32Array, xShape: number[], w: Float32Array, wShape: number[],
  dy: Float32Array, info: tf.backend_util.Conv2DInfo): { dw: Float32Array; dx: Float32Array; y: Float32Array } {
  const [KH, KW, C, M] = wShape as Shape4;
  return naiveConvGrads(x, xShape, w, [KH, KW, 1, C * M], dy, info, C);
}
