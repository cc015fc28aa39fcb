// WGSL programs of the DGC head kernels for tfjs-backend-webgpu (the element-wise passes of src/kernels/dgc/driver.ts;
// the convolutions are the backend's own kernels). Shapes go in as uniforms, so each program compiles once per
// device (and per head count for the interleave). Only types are imported from @tensorflow/tfjs-backend-webgpu (see
// src/kernels/webgpu/PixPrograms.ts).
//
// Layouts: a, dx_i [B,HW,C]; g [h,B,C]; head outputs [R,C'/h]; y, dy [R,C'], channel j·h + i = head i's channel j.
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { DgcHeadsDims } from '../../ops/dgc/shape.js';

export type DgcUniform = { type: 'int32'; data: number[] };

const UNIFORMS = 'n : i32, head : i32, heads : i32, batch : i32, hw : i32, cIn : i32, cph : i32,';

/** Uniform values (n: threads of the dispatch, head: the head this call handles). */
export function dgcUniforms(d: DgcHeadsDims, n: number, head: number): DgcUniform[] {
  return [n, head, d.h, d.B, d.H * d.W, d.C, d.cph].map((v) => ({ type: 'int32' as const, data: [v] }));
}

const WG = 64;
const MAX_GROUPS_X = 65535;

/** A program of `threads` threads numbered by `index` (workgroups of 64, spread over y past 65535 workgroups). */
export abstract class FlatProgram implements WebGPUProgram {
  abstract variableNames: string[];
  outputShape: number[];
  abstract shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WG, 1, 1];
  uniforms = UNIFORMS;

  constructor(outputShape: number[], threads: number) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const groups = Math.max(1, Math.ceil(threads / WG));
    this.dispatch = [Math.min(groups, MAX_GROUPS_X), Math.ceil(groups / MAX_GROUPS_X), 1];
  }

  abstract getUserCode(): string;
}

/** a·g_i: one thread per element of a. */
export class DgcScaleProgram extends FlatProgram {
  variableNames = ['a', 'g'];
  shaderKey = 'chanlab_dgc_scale';
  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let c = index % uniforms.cIn;
    let b = index / (uniforms.hw * uniforms.cIn);
    result[index] = a[index] * g[(uniforms.head * uniforms.batch + b) * uniforms.cIn + c];
  }`;
  }
}

/** y[r, j·h + i] = y_i[r, j]: one thread per element of y; the h head outputs are inputs y0..y{h-1}. */
export class DgcInterleaveProgram extends FlatProgram {
  variableNames: string[];
  shaderKey: string;
  constructor(outputShape: number[], threads: number, heads: number) {
    super(outputShape, threads);
    this.variableNames = Array.from({ length: heads }, (_, i) => `y${i}`);
    this.shaderKey = `chanlab_dgc_interleave_${heads}`;
  }
  getUserCode(): string {
    const pick = this.variableNames.map((v, i) => `if (i == ${i}) { result[index] = ${v}[src]; }`).join(' else ');
    return `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let co = uniforms.cph * uniforms.heads;
    let r = index / co;
    let ch = index % co;
    let i = ch % uniforms.heads;
    let src = r * uniforms.cph + ch / uniforms.heads;
    ${pick}
  }`;
  }
}

/** dy_i[r, j] = dy[r, j·h + i]: one thread per element of dy_i. */
export class DgcTakeHeadProgram extends FlatProgram {
  variableNames = ['dy'];
  shaderKey = 'chanlab_dgc_take_head';
  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let r = index / uniforms.cph;
    let j = index % uniforms.cph;
    result[index] = dy[r * uniforms.cph * uniforms.heads + j * uniforms.heads + uniforms.head];
  }`;
  }
}

/** da (+)= g_i·dx_i: one thread per element; the accumulating variant reads the previous da. */
export class DgcInputGradProgram extends FlatProgram {
  variableNames: string[];
  shaderKey: string;
  constructor(outputShape: number[], threads: number, accumulate: boolean) {
    super(outputShape, threads);
    this.variableNames = accumulate ? ['dx', 'g', 'prev'] : ['dx', 'g'];
    this.shaderKey = `chanlab_dgc_input_grad_${accumulate ? 1 : 0}`;
  }
  getUserCode(): string {
    const prev = this.variableNames.length === 3 ? 'prev[index] + ' : '';
    return `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let c = index % uniforms.cIn;
    let b = index / (uniforms.hw * uniforms.cIn);
    result[index] = ${prev}g[(uniforms.head * uniforms.batch + b) * uniforms.cIn + c] * dx[index];
  }`;
  }
}

/** dg_i[b, c] = Σ_p dx_i[b,p,c]·a[b,p,c]: one thread per (b, c), pixels in order. Output [1, B, C]. */
export class DgcSaliencyGradProgram extends FlatProgram {
  variableNames = ['dx', 'a'];
  shaderKey = 'chanlab_dgc_saliency_grad';
  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let c = index % uniforms.cIn;
    let b = index / uniforms.cIn;
    var s = 0.0;
    for (var p = 0; p < uniforms.hw; p++) {
      let o = (b * uniforms.hw + p) * uniforms.cIn + c;
      s = s + dx[o] * a[o];
    }
    result[index] = s;
  }`;
  }
}
