// WGSL programs of the PiX kernels for tfjs-backend-webgpu (WebGPUProgram interface, run by runWebGPUProgram).
//
// Only types are imported from @tensorflow/tfjs-backend-webgpu: importing it at run time before navigator.gpu exists
// would stop it from registering its backend (see src/backend/webgpu.ts).
//
// Layout: x [N,H,W,C] NHWC, p [N,G], y/dy [N,H,W,G]; row = n*HW + hw; group g owns channels [g*ZETA, g*ZETA + r).
// zeta, the reduction and the divisor rule are compiled in (part of shaderKey); C, G, HW and tau are uniforms.
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { PixAttrs } from '../../ops/pix/kernel_names.js';
import type { PixDims } from '../../ops/pix/shape.js';

/** A program-defined uniform, in the order of the program's `uniforms` declaration. */
export type PixUniform = { type: 'int32' | 'float32'; data: number[] };

const UNIFORMS = 'tau : f32, cIn : i32, nGroups : i32, hw : i32, nTasks : i32,';

export function pixUniforms(d: PixDims, tau: number, nTasks: number): PixUniform[] {
  return [
    { type: 'float32', data: [tau] },
    { type: 'int32', data: [d.C] },
    { type: 'int32', data: [d.G] },
    { type: 'int32', data: [d.HW] },
    { type: 'int32', data: [nTasks] },
  ];
}

function header(attrs: PixAttrs): string {
  return `
  const ZETA : i32 = ${attrs.zeta};
  const LOWEST : f32 = -0x1.fffffep+127f;   // float32 lowest finite value: the kernel's max sentinel
  fn pixDiv(r : i32) -> f32 { return ${attrs.avgDivisor === 'zeta' ? 'f32(ZETA)' : 'f32(r)'}; }
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
  // 0 = max, 1 = avg, 2 = min, 3 = w-pix
  fn pixMode(pi : f32) -> i32 {
    ${{
    'pick-or-mix': 'if (pi < uniforms.tau) { return 0; } return 1;',
    max: 'return 0;', avg: 'return 1;', min: 'return 2;', 'w-pix': 'return 3;',
  }[attrs.reduce]}
  }`;
}

function keyOf(name: string, attrs: PixAttrs): string {
  return `chanlab_${name}_${attrs.reduce}_${attrs.zeta}_${attrs.avgDivisor}`;
}

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
  private attrs: PixAttrs;

  constructor(d: PixDims, attrs: PixAttrs) {
    this.attrs = attrs;
    this.outputShape = [d.N, d.H, d.W, d.G];
    this.dispatchLayout = { x: [0, 1, 2, 3] };
    this.dispatch = flatDispatch(d.N * d.HW * d.G, this.workgroupSize[0]);
    this.shaderKey = keyOf('pix', attrs);
  }

  getUserCode(): string {
    return `${header(this.attrs)}
  fn main(index : i32) {
    if (index >= uniforms.nTasks) { return; }
    let g = index % uniforms.nGroups;
    let row = index / uniforms.nGroups;
    let n = row / uniforms.hw;
    let lo = row * uniforms.cIn + g * ZETA;
    let r = min(ZETA, uniforms.cIn - g * ZETA);
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
  private attrs: PixAttrs;

  constructor(d: PixDims, attrs: PixAttrs) {
    this.attrs = attrs;
    this.outputShape = [d.N, d.H, d.W, d.C];
    this.dispatchLayout = { x: [0, 1, 2, 3] };
    this.dispatch = flatDispatch(d.N * d.HW * d.G, this.workgroupSize[0]);
    this.shaderKey = keyOf('pixgradx', attrs);
  }

  getUserCode(): string {
    return `${header(this.attrs)}
  fn main(index : i32) {
    if (index >= uniforms.nTasks) { return; }
    let g = index % uniforms.nGroups;
    let row = index / uniforms.nGroups;
    let n = row / uniforms.hw;
    let lo = row * uniforms.cIn + g * ZETA;
    let r = min(ZETA, uniforms.cIn - g * ZETA);
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
  private attrs: PixAttrs;

  constructor(d: PixDims, attrs: PixAttrs) {
    this.attrs = attrs;
    this.outputShape = [d.N, d.G];
    this.dispatchLayout = { x: [0, 1] };
    this.dispatch = flatDispatch(d.N * Math.ceil(d.G / TG), 1);
    this.shaderKey = keyOf('pixgradp', attrs);
  }

  getUserCode(): string {
    return `${header(this.attrs)}
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
      let r = min(ZETA, uniforms.cIn - g * ZETA);
      for (var hw = lh; hw < uniforms.hw; hw += ${TH}) {
        let row = n * uniforms.hw + hw;
        let lo = row * uniforms.cIn + g * ZETA;
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
