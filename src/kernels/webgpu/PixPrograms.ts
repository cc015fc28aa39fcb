// WGSL programs of the PiX kernels for tfjs-backend-webgpu (WebGPUProgram interface, run by runWebGPUProgram).
//
// Only types are imported from @tensorflow/tfjs-backend-webgpu: importing it at run time before navigator.gpu exists
// would stop it from registering its backend (see src/backend/webgpu.ts).
//
// Layout: x [N,H,W,C] NHWC, p [N,G], y/dy [N,H,W,G]; row = n*HW + hw; group g owns channels [g*zeta, g*zeta + r).
// Everything shape- or option-dependent is a uniform (zeta, the reduction, the divisor rule, C, G, HW, tau), so each
// program compiles once per device: pipeline compilation dominates small calls on lavapipe (~0.4 s per shader).
// NaN parity with the CUDA kernel (NaN skipped by the max scan, NaN p takes avg) is not promised here: WGSL lets
// implementations assume finite floats. The op's checkNaN option guards p when asked.
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { PixAttrs } from '../../ops/pix/kernel_names.js';
import type { PixDims } from '../../ops/pix/shape.js';

/** A program-defined uniform, in the order of the program's `uniforms` declaration. */
export type PixUniform = { type: 'int32' | 'float32'; data: number[] };

const UNIFORMS = 'tau : f32, cIn : i32, nGroups : i32, hw : i32, nTasks : i32, zeta : i32, reduceMode : i32, ' +
  'divByGroup : i32,';

/** reduceMode codes for 'max', 'avg', 'min', 'w-pix'; 'pick-or-mix' is 4 (p < tau ? max : avg). */
const REDUCE_MODE: Record<PixAttrs['reduce'], number> = { max: 0, avg: 1, min: 2, 'w-pix': 3, 'pick-or-mix': 4 };

export function pixUniforms(d: PixDims, attrs: PixAttrs, nTasks: number): PixUniform[] {
  return [
    { type: 'float32', data: [attrs.tau] },
    { type: 'int32', data: [d.C] },
    { type: 'int32', data: [d.G] },
    { type: 'int32', data: [d.HW] },
    { type: 'int32', data: [nTasks] },
    { type: 'int32', data: [attrs.zeta] },
    { type: 'int32', data: [REDUCE_MODE[attrs.reduce]] },
    { type: 'int32', data: [attrs.avgDivisor === 'groupSize' ? 1 : 0] },
  ];
}

const HEADER = `
  const LOWEST : f32 = -0x1.fffffep+127f;   // float32 lowest finite value: the kernel's max sentinel
  fn pixDiv(r : i32) -> f32 { return select(f32(uniforms.zeta), f32(r), uniforms.divByGroup == 1); }
  // first maximum (strict <), its channel offset; NaNs are skipped like in the CUDA kernel
  fn pixMax(lo : i32, r : i32) -> vec2<f32> {
    var m = LOWEST; var a = 0;
    for (var j = 0; j < r; j++) { let v = x[lo + j]; if (m < v) { m = v; a = j; } }
    return vec2<f32>(m, f32(a));
  }
  fn pixMin(lo : i32, r : i32) -> vec2<f32> {
    var m = -LOWEST; var a = 0;
    for (var j = 0; j < r; j++) { let v = x[lo + j]; if (m > v) { m = v; a = j; } }
    return vec2<f32>(m, f32(a));
  }
  fn pixSum(lo : i32, r : i32) -> f32 {
    var s = 0.0;
    for (var j = 0; j < r; j++) { s = s + x[lo + j]; }
    return s;
  }
  // branch of one (n, g): 0 = max, 1 = avg, 2 = min, 3 = w-pix; pick-or-mix: strict p < tau picks max (NaN -> avg)
  fn pixMode(pi : f32) -> i32 {
    if (uniforms.reduceMode != 4) { return uniforms.reduceMode; }
    if (pi < uniforms.tau) { return 0; }
    return 1;
  }`;

function flatDispatch(tasks: number, perWorkgroup: number): [number, number, number] {
  return [Math.max(1, Math.ceil(tasks / perWorkgroup)), 1, 1];
}

/** Forward: one thread per output element y[row, g]. */
export class PixProgram implements WebGPUProgram {
  variableNames = ['x', 'p'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms = UNIFORMS;

  constructor(d: PixDims) {
    this.outputShape = [d.N, d.H, d.W, d.G];
    this.dispatchLayout = { x: [0, 1, 2, 3] };
    this.dispatch = flatDispatch(d.N * d.HW * d.G, this.workgroupSize[0]);
    this.shaderKey = 'chanlab_pix';
  }

  getUserCode(): string {
    return `${HEADER}
  fn main(index : i32) {
    if (index >= uniforms.nTasks) { return; }
    let g = index % uniforms.nGroups;
    let row = index / uniforms.nGroups;
    let n = row / uniforms.hw;
    let lo = row * uniforms.cIn + g * uniforms.zeta;
    let r = min(uniforms.zeta, uniforms.cIn - g * uniforms.zeta);
    let pi = p[n * uniforms.nGroups + g];
    let mode = pixMode(pi);
    var out = 0.0;
    if (mode == 0) {
      out = pi * pixMax(lo, r).x;
    } else if (mode == 1) {
      out = (pi * pixSum(lo, r)) / pixDiv(r);
    } else if (mode == 2) {
      out = pi * pixMin(lo, r).x;
    } else {
      out = pi * pixMax(lo, r).x + (1.0 - pi) * (pixSum(lo, r) / pixDiv(r));
    }
    setOutputAtIndex(index, out);
  }`;
  }
}

/**
 * Backward dx: one thread per (row, g) writes all r channels of its group exactly once (groups partition the
 * channels, so there is no zero-fill pass and no scatter/atomics).
 */
export class PixGradXProgram implements WebGPUProgram {
  variableNames = ['x', 'p', 'dy'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms = UNIFORMS;

  constructor(d: PixDims) {
    this.outputShape = [d.N, d.H, d.W, d.C];
    this.dispatchLayout = { x: [0, 1, 2, 3] };
    this.dispatch = flatDispatch(d.N * d.HW * d.G, this.workgroupSize[0]);
    this.shaderKey = 'chanlab_pixgradx';
  }

  getUserCode(): string {
    return `${HEADER}
  fn main(index : i32) {
    if (index >= uniforms.nTasks) { return; }
    let g = index % uniforms.nGroups;
    let row = index / uniforms.nGroups;
    let n = row / uniforms.hw;
    let lo = row * uniforms.cIn + g * uniforms.zeta;
    let r = min(uniforms.zeta, uniforms.cIn - g * uniforms.zeta);
    let pi = p[n * uniforms.nGroups + g];
    let gy = dy[row * uniforms.nGroups + g];
    let mode = pixMode(pi);
    if (mode == 1) {
      let share = (pi * gy) / pixDiv(r);
      for (var j = 0; j < r; j++) { result[lo + j] = share; }
    } else if (mode == 3) {
      let share = ((1.0 - pi) * gy) / pixDiv(r);
      let a = i32(pixMax(lo, r).y);
      for (var j = 0; j < r; j++) { result[lo + j] = select(share, share + pi * gy, j == a); }
    } else {
      var a = 0;
      if (mode == 0) { a = i32(pixMax(lo, r).y); } else { a = i32(pixMin(lo, r).y); }
      for (var j = 0; j < r; j++) { result[lo + j] = select(0.0, pi * gy, j == a); }
    }
  }`;
  }
}

const TG = 16; // groups per workgroup (adjacent threads read adjacent groups)
const TH = 16; // pixel lanes per group

/**
 * Backward dp: dp[n,g] = sum_hw dy * (unscaled reduction). One workgroup per (n, tile of 16 groups); 16 pixel
 * lanes per group accumulate strided partial sums, then a shared-memory tree reduces them on the GPU.
 */
export class PixGradPProgram implements WebGPUProgram {
  variableNames = ['x', 'p', 'dy'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [TG * TH, 1, 1];
  uniforms = UNIFORMS;

  constructor(d: PixDims) {
    this.outputShape = [d.N, d.G];
    this.dispatchLayout = { x: [0, 1] };
    this.dispatch = flatDispatch(d.N * Math.ceil(d.G / TG), 1);
    this.shaderKey = 'chanlab_pixgradp';
  }

  getUserCode(): string {
    return `${HEADER}
  var<workgroup> partial : array<f32, ${TG * TH}>;
  fn main(index : i32) {
    let wg = index / ${TG * TH};
    let lid = i32(localIndex);
    let lg = lid % ${TG};
    let lh = lid / ${TG};
    let tiles = (uniforms.nGroups + ${TG - 1}) / ${TG};
    let n = wg / tiles;
    let g = (wg % tiles) * ${TG} + lg;
    let inRange = n < uniforms.nTasks && g < uniforms.nGroups;
    var acc = 0.0;
    if (inRange) {
      let pi = p[n * uniforms.nGroups + g];
      let mode = pixMode(pi);
      let r = min(uniforms.zeta, uniforms.cIn - g * uniforms.zeta);
      for (var hw = lh; hw < uniforms.hw; hw += ${TH}) {
        let row = n * uniforms.hw + hw;
        let lo = row * uniforms.cIn + g * uniforms.zeta;
        let gy = dy[row * uniforms.nGroups + g];
        var v = 0.0;
        if (mode == 0) {
          v = pixMax(lo, r).x;
        } else if (mode == 1) {
          v = pixSum(lo, r) / pixDiv(r);
        } else if (mode == 2) {
          v = pixMin(lo, r).x;
        } else {
          v = pixMax(lo, r).x - pixSum(lo, r) / pixDiv(r);
        }
        acc = acc + gy * v;
      }
    }
    partial[lid] = acc;
    workgroupBarrier();
    for (var s = ${TH / 2}; s > 0; s = s / 2) {
      if (lh < s) { partial[lid] = partial[lid] + partial[lid + s * ${TG}]; }
      workgroupBarrier();
    }
    if (lh == 0 && inRange) { result[n * uniforms.nGroups + g] = partial[lid]; }
  }`;
  }
}
