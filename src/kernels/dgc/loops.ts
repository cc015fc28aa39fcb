// The element-wise passes of the DGC head kernels on Float32Arrays (cpu values or views of the wasm heap), one pass
// each. Layouts: a, dx_i [B,HW,C]; g, dg [h,B,C]; head outputs [R,C'/h]; y, dy [R,C'] with R = B·Ho·Wo and channel
// j·h + i = head i's channel j.
import type { DgcHeadsDims } from '../../ops/dgc/shape.js';

/** out[b,p,c] = a[b,p,c]·g[i,b,c] */
export function scaleHeadLoop(a: Float32Array, g: Float32Array, i: number, d: DgcHeadsDims, out: Float32Array): void {
  const { B, C } = d;
  const HW = d.H * d.W;
  for (let b = 0; b < B; b++) {
    const go = (i * B + b) * C;
    for (let p = 0; p < HW; p++) {
      const o = (b * HW + p) * C;
      for (let c = 0; c < C; c++) out[o + c] = a[o + c] * g[go + c];
    }
  }
}

/** y[r, j·h + i] = ys[i][r, j] */
export function interleaveLoop(ys: Float32Array[], d: DgcHeadsDims, y: Float32Array): void {
  const { h, cph } = d;
  const R = d.B * d.Ho * d.Wo;
  for (let i = 0; i < h; i++) {
    const yi = ys[i]!;
    for (let r = 0; r < R; r++) {
      const so = r * cph;
      const to = r * cph * h + i;
      for (let j = 0; j < cph; j++) y[to + j * h] = yi[so + j];
    }
  }
}

/** out[r, j] = dy[r, j·h + i] */
export function takeHeadLoop(dy: Float32Array, i: number, d: DgcHeadsDims, out: Float32Array): void {
  const { h, cph } = d;
  const R = d.B * d.Ho * d.Wo;
  for (let r = 0; r < R; r++) {
    const so = r * cph * h + i;
    const to = r * cph;
    for (let j = 0; j < cph; j++) out[to + j] = dy[so + j * h];
  }
}

/**
 * da[b,p,c] (+)= g[i,b,c]·dx[b,p,c] (assigned for head 0, accumulated after); dg[i,b,c] = Σ_p dx[b,p,c]·a[b,p,c]
 * summed in double, in pixel order.
 */
export function reduceHeadLoop(dx: Float32Array, a: Float32Array, g: Float32Array, i: number, d: DgcHeadsDims, da: Float32Array, dg: Float32Array): void {
  const { B, C } = d;
  const HW = d.H * d.W;
  const acc = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    const go = (i * B + b) * C;
    acc.fill(0);
    for (let p = 0; p < HW; p++) {
      const o = (b * HW + p) * C;
      for (let c = 0; c < C; c++) {
        const v = dx[o + c];
        da[o + c] = i === 0 ? g[go + c] * v : da[o + c] + g[go + c] * v;
        acc[c] += v * a[o + c];
      }
    }
    for (let c = 0; c < C; c++) dg[go + c] = acc[c];
  }
}
