// WGSL programs of the kept-channel DGC eval kernel (ChanlabDgcEval, DgcEval.ts; docs/methods/dgc.md §8.3) for
// tfjs-backend-webgpu. Shapes are uniforms, so each program compiles once per device. Only types are imported from
// @tensorflow/tfjs-backend-webgpu (see src/kernels/webgpu/PixPrograms.ts).
//
// Layouts: z [B,C]; w1 [h,d,C]; w2 [h,d,C]; b2 [h,C]; hidden [h,B,d]; g, gated [h,B,C] (row = i·B + b); kept lists
// [h,B,C+1] int32 (the kept channels ascending, then their count at position C); a [B,H,W,C]; w [k,k,C,C'];
// y [B,Ho,Wo,C'] with channel j·h + i = head i's channel j.
import { FlatProgram } from './DgcPrograms.js';

export type DgcEvalUniform = { type: 'int32'; data: number[] };

/** The sizes every program reads. */
export interface DgcEvalSizes {
  B: number; H: number; W: number; C: number; Co: number; h: number; d: number; k: number; stride: number; pad: number;
  Ho: number; Wo: number; kDrop: number;
}

const UNIFORMS = 'n : i32, batch : i32, height : i32, width : i32, cIn : i32, cOut : i32, heads : i32, hidden : i32, ' +
  'kernel : i32, stride : i32, pad : i32, outH : i32, outW : i32, kDrop : i32,';

/** Uniform values; n = threads of the dispatch. */
export function dgcEvalUniforms(s: DgcEvalSizes, n: number): DgcEvalUniform[] {
  return [n, s.B, s.H, s.W, s.C, s.Co, s.h, s.d, s.k, s.stride, s.pad, s.Ho, s.Wo, s.kDrop]
    .map((v) => ({ type: 'int32' as const, data: [v] }));
}

/** The eval programs: flat like the heads' (DgcPrograms.ts), with these uniforms. */
abstract class Program extends FlatProgram {
  override uniforms = UNIFORMS;
}

/** hidden[i,b,j] = relu(Σ_c z[b,c]·w1[i,j,c]): one thread per (i, b, j). */
export class DgcHiddenProgram extends Program {
  variableNames = ['z', 'w1'];
  shaderKey = 'chanlab_dgc_eval_hidden';
  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let d = uniforms.hidden;
    let j = index % d;
    let row = index / d;
    let i = row / uniforms.batch;
    let b = row % uniforms.batch;
    var s = 0.0;
    for (var c = 0; c < uniforms.cIn; c++) {
      s = s + z[b * uniforms.cIn + c] * w1[(i * d + j) * uniforms.cIn + c];
    }
    setOutputAtIndex(index, max(s, 0.0));
  }`;
  }
}

/** g[i,b,c] = relu(Σ_j hidden[i,b,j]·w2[i,j,c] + b2[i,c]): one thread per (i, b, c). */
export class DgcSaliencyProgram extends Program {
  variableNames = ['hid', 'w2', 'b2'];
  shaderKey = 'chanlab_dgc_eval_saliency';
  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let C = uniforms.cIn;
    let d = uniforms.hidden;
    let c = index % C;
    let row = index / C;
    let i = row / uniforms.batch;
    var s = 0.0;
    for (var j = 0; j < d; j++) {
      s = s + hid[row * d + j] * w2[(i * d + j) * C + c];
    }
    setOutputAtIndex(index, max(s + b2[i * C + c], 0.0));
  }`;
  }
}

/**
 * The gate (docs/methods/dgc.md §1.3): per row, g where above the row's kDrop-th smallest, else 0. One thread per row:
 * the threshold by bisection on the bit patterns (ordered like the values, g ≥ 0), then the row written.
 */
export class DgcGateProgram extends Program {
  variableNames = ['g'];
  shaderKey = 'chanlab_dgc_eval_gate';
  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let C = uniforms.cIn;
    let base = index * C;
    var th = -1.0;
    if (uniforms.kDrop > 0) {
      var lo = 0x7f800000u;
      var hi = 0u;
      for (var c = 0; c < C; c++) {
        let u = bitcast<u32>(max(g[base + c], 0.0));
        lo = min(lo, u);
        hi = max(hi, u);
      }
      loop {
        if (lo >= hi) { break; }
        let mid = lo + (hi - lo) / 2u;
        var count = 0;
        for (var c = 0; c < C; c++) {
          count = count + select(0, 1, bitcast<u32>(max(g[base + c], 0.0)) <= mid);
        }
        if (count >= uniforms.kDrop) { hi = mid; } else { lo = mid + 1u; }
      }
      th = bitcast<f32>(lo);
    }
    for (var c = 0; c < C; c++) {
      let v = g[base + c];
      setOutputAtIndex(base + c, select(0.0, v, v > th && v != 0.0));
    }
  }`;
  }
}

/** The kept lists: per row the channels with gated ≠ 0, ascending, and their count at position C. One thread per row. */
export class DgcKeptListProgram extends Program {
  variableNames = ['gated'];
  shaderKey = 'chanlab_dgc_eval_kept_list';
  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let C = uniforms.cIn;
    let out = index * (C + 1);
    var n = 0;
    for (var c = 0; c < C; c++) {
      if (gated[index * C + c] != 0.0) {
        setOutputAtIndexI32(out + n, c);
        n = n + 1;
      }
    }
    setOutputAtIndexI32(out + C, n);
  }`;
  }
}

/**
 * y[b, p, j·h + i] = Σ_q Σ_taps a[b, in(p, tap), c_q]·gated[i,b,c_q]·w[tap, c_q, i·C'/h + j] over the kept channels c_q
 * of (i, b). One thread per pixel and 4 consecutive outputs j of one head (1 where C'/h is not a multiple of 4), so
 * each activation read serves 4 outputs and the filter row is one vec4; threads are numbered (b, i, p, j/4): neighbours
 * share the pixel, the kept list and read adjacent filter columns.
 */
export class DgcKeptConvProgram extends Program {
  variableNames = ['a', 'gated', 'kept', 'w'];
  shaderKey: string;
  private readonly vec: boolean;

  constructor(outputShape: number[], threads: number, vec: boolean) {
    super(outputShape, threads);
    this.vec = vec;
    this.shaderKey = `chanlab_dgc_eval_kept_conv_${vec ? 4 : 1}`;
  }

  getUserCode(): string {
    const n = this.vec ? 4 : 1;
    const T = this.vec ? 'vec4<f32>' : 'f32';
    const load = this.vec ? 'vec4<f32>(w[wi], w[wi + 1], w[wi + 2], w[wi + 3])' : 'w[wi]';
    const store = this.vec
      ? 'for (var u = 0; u < 4; u++) { setOutputAtIndex(out + (j + u) * heads + i, acc[u]); }'
      : 'setOutputAtIndex(out + j * heads + i, acc);';
    return `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let C = uniforms.cIn;
    let heads = uniforms.heads;
    let cph = uniforms.cOut / heads;
    let groups = cph / ${n};
    let P = uniforms.outH * uniforms.outW;
    let j = (index % groups) * ${n};
    let p = (index / groups) % P;
    let bi = index / (groups * P);
    let i = bi % heads;
    let b = bi / heads;
    let row = i * uniforms.batch + b;
    let oy = p / uniforms.outW;
    let ox = p % uniforms.outW;
    let k = uniforms.kernel;
    let col = i * cph + j;
    let count = kept[row * (C + 1) + C];
    var acc = ${T}(0.0);
    for (var q = 0; q < count; q++) {
      let c = kept[row * (C + 1) + q];
      let s = gated[row * C + c];
      var part = ${T}(0.0);
      for (var ky = 0; ky < k; ky++) {
        let iy = oy * uniforms.stride + ky - uniforms.pad;
        if (iy < 0 || iy >= uniforms.height) { continue; }
        for (var kx = 0; kx < k; kx++) {
          let ix = ox * uniforms.stride + kx - uniforms.pad;
          if (ix < 0 || ix >= uniforms.width) { continue; }
          let wi = ((ky * k + kx) * C + c) * uniforms.cOut + col;
          part = part + a[((b * uniforms.height + iy) * uniforms.width + ix) * C + c] * ${load};
        }
      }
      acc = acc + s * part;
    }
    let out = (b * P + p) * uniforms.cOut;
    ${store}
  }`;
  }
}
