// Test helpers for the conv-gradient kernels: seeded inputs, the same computation on two backends, and a naive
// reference for dilated regular convolutions (tfjs's cpu Conv2DBackprop* kernels ignore dilations).
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src/core/rng.js';

export type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

export function randArray(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Rng(seed).fillNormal(new Float32Array(n), 0, 1);
}

/** Runs `f` on `backend` and returns the values of its (single) output. */
export async function valuesOn(backend: string, f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const t = f();
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

/** max |a - b| / max |b| (relative to the largest reference magnitude). */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
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

/** Naive dW and dx of y = depthwiseConv2d(x, w) (NHWC, w [KH,KW,C,M]) for any stride/dilation/padding.
 *  (tfjs's cpu DepthwiseConv2dNativeBackprop* kernels ignore dilations.) */
export function naiveDepthwiseGrads(x: Float32Array, xShape: number[], w: Float32Array, wShape: number[],
  dy: Float32Array, info: tf.backend_util.Conv2DInfo): { dw: Float32Array; dx: Float32Array } {
  const [B, H, W, C] = xShape;
  const [KH, KW, , M] = wShape;
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dwl } = info;
  const { top, left } = info.padInfo;
  const dw = new Float32Array(w.length);
  const dx = new Float32Array(x.length);
  for (let b = 0; b < B; b++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    for (let kh = 0; kh < KH; kh++) {
      const ih = oh * sh + kh * dh - top;
      if (ih < 0 || ih >= H) continue;
      for (let kw = 0; kw < KW; kw++) {
        const iw = ow * sw + kw * dwl - left;
        if (iw < 0 || iw >= W) continue;
        for (let c = 0; c < C; c++) {
          const xi = ((b * H + ih) * W + iw) * C + c;
          for (let m = 0; m < M; m++) {
            const g = dy[((b * OH + oh) * OW + ow) * C * M + c * M + m];
            const wi = ((kh * KW + kw) * C + c) * M + m;
            dw[wi] += x[xi] * g;
            dx[xi] += w[wi] * g;
          }
        }
      }
    }
  }
  return { dw, dx };
}
