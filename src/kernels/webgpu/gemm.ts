// A tiled GEMM in WGSL, C[m,n] = Σ_k A[m,k]·B[k,n] per group, with the operands read through caller-supplied loader
// functions: the convolution kernels make A an implicit im2col of x (forward, filter gradient) or of dy (input
// gradient), so nothing is materialised.
//
// One workgroup computes a TM×TN tile of C; its (TN/RN)×(TM/RM) invocations each hold an RM×RN block of accumulators
// in registers. Per step of TK along k the workgroup stages a TM×TK slice of A and a TK×TN slice of B in workgroup
// memory (loaded so that neighbouring invocations read neighbouring addresses: the loader's fast axis), then every
// invocation does RM·RN·TK multiply-adds from it. Invocation (tx, ty) owns rows ty + i·(TM/RM) and columns
// tx + j·(TN/RN): neighbouring invocations read neighbouring workgroup-memory words and write neighbouring outputs.
//
// The grid is (tiles of N) × (tiles of M) × splits × groups, flattened and folded into x/y (grid1d). With splits > 1
// workgroup s reduces only k ∈ [s·kPerSplit, (s+1)·kPerSplit) and `store` gets the split index (split-K: the filter
// gradient's k = N·OH·OW is long while its M×N is small).
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { grid1d, internals, targetWorkgroups } from './runtime.js';

export interface GemmTile {
  tm: number;
  tn: number;
  tk: number;
  rm: number;
  rn: number;
}

export interface GemmShape {
  M: number;
  N: number;
  K: number;
  groups: number;
}

/**
 * How the GEMM reads its operands. Each staged element of a slice keeps its row (m of A, n of B) for the whole
 * reduction and moves along k by TK per step, so the loaders split an index into a part computed once (`row*`) and
 * a k-state advanced by TK (`kInit*` / `kNext*`): no integer division per element in the loop. WGSL must define
 *   fn rowA(m : i32) -> vec4<i32>      fn kInitA(k : i32) -> vec4<i32>   fn kNextA(s : vec4<i32>) -> vec4<i32>
 *   fn loadA(r : vec4<i32>, s : vec4<i32>, grp : i32) -> f32   (and the same four for B, with n as its row)
 *   fn store(m : i32, n : i32, grp : i32, split : i32, v : f32)
 * using the constant TK; bounds of m, n, k are checked before loads and stores.
 */
export interface GemmLoaders {
  code: string;
  /** Which index consecutive invocations take when staging a slice (the operand's contiguous axis). */
  aFast: 'k' | 'm';
  bFast: 'n' | 'k';
}

/** The uniforms the GEMM body reads (the loaders add their own after these). */
export const GEMM_UNIFORMS = ['M', 'N', 'K', 'tilesN', 'tilesM', 'splits', 'kPerSplit', 'groups'] as const;

export interface GemmPlan {
  tile: GemmTile;
  splits: number;
  kPerSplit: number;
  tilesM: number;
  tilesN: number;
  dispatch: [number, number, number];
  uniforms: Array<{ name: string; type: 'i32'; value: number }>;
}

const TILES: GemmTile[] = [
  { tm: 128, tn: 64, tk: 16, rm: 8, rn: 4 },
  { tm: 64, tn: 64, tk: 16, rm: 4, rn: 4 },
  { tm: 64, tn: 32, tk: 16, rm: 4, rn: 2 },
  { tm: 32, tn: 64, tk: 16, rm: 2, rn: 4 },
  { tm: 32, tn: 32, tk: 16, rm: 2, rn: 2 },
  // few rows (batch-1 late layers, 1×1 heads): thin tiles that pad little
  { tm: 16, tn: 64, tk: 16, rm: 1, rn: 4 },
  { tm: 8, tn: 128, tk: 16, rm: 1, rn: 4 },
  { tm: 4, tn: 256, tk: 16, rm: 1, rn: 4 },
];

function ceil(a: number, b: number): number {
  return Math.ceil(a / b);
}

/** Padding waste of a tile on a shape: padded area / real area. */
function waste(t: GemmTile, s: GemmShape): number {
  return (ceil(s.M, t.tm) * t.tm * ceil(s.N, t.tn) * t.tn) / (s.M * s.N);
}

/**
 * The tile for a shape: the largest that still gives `target` workgroups without padding more than a quarter of its
 * area; else the one that pads least (ties: more workgroups) — few rows (batch 1, late layers) take the thin tiles.
 * Only tiles that fit the device's workgroup memory. `forceTile` (tests) picks one by index.
 */
export function chooseTile(s: GemmShape, workgroupBytes: number, target: number, forceTile?: number): GemmTile {
  const fits = TILES.filter((t) => (t.tm + t.tn) * t.tk * 4 <= workgroupBytes && (t.tn / t.rn) * (t.tm / t.rm) <= 256);
  if (forceTile !== undefined) return fits[forceTile % fits.length]!;
  const count = (t: GemmTile) => ceil(s.M, t.tm) * ceil(s.N, t.tn) * s.groups;
  const busy = fits.find((t) => waste(t, s) <= 1.25 && count(t) >= target);
  if (busy) return busy;
  return [...fits].sort((a, b) => waste(a, s) - waste(b, s) || count(b) - count(a))[0]!;
}

/**
 * The launch of a GEMM: tile, split-K factor (only when `maxSplits` > 1: K is cut so that about targetWorkgroups()
 * workgroups run, each over at least 256 values of k), grid and uniforms.
 */
export function planGemm(b: WebGPUBackend, s: GemmShape, maxSplits = 1, forceTile?: number): GemmPlan {
  const limits = internals(b).device.limits;
  const target = targetWorkgroups(b);
  const tile = chooseTile(s, limits.maxComputeWorkgroupStorageSize, target, forceTile);
  const tilesM = ceil(s.M, tile.tm);
  const tilesN = ceil(s.N, tile.tn);
  const tiles = tilesM * tilesN * s.groups;
  let splits = 1;
  if (maxSplits > 1 && tiles < target) {
    splits = Math.max(1, Math.min(maxSplits, ceil(target, tiles), Math.floor(s.K / 256)));
  }
  const kPerSplit = ceil(ceil(s.K, splits), tile.tk) * tile.tk;
  splits = Math.max(1, ceil(s.K, kPerSplit));
  const values = [s.M, s.N, s.K, tilesN, tilesM, splits, kPerSplit, s.groups];
  return {
    tile, splits, kPerSplit, tilesM, tilesN,
    dispatch: grid1d(b, tiles * splits, 1),
    uniforms: GEMM_UNIFORMS.map((name, i) => ({ name, type: 'i32' as const, value: values[i]! })),
  };
}

/** The key part of a tile (pipelines differ per tile). */
export function tileKey(t: GemmTile): string {
  return `${t.tm}x${t.tn}x${t.tk}r${t.rm}x${t.rn}`;
}

interface Slot { row: string; k: string; /** WGSL condition for the slot's element to exist (a slice smaller than the workgroup) */ exists: string | null }

/** The staged elements of one invocation: slice rows × cols, `fast` the axis neighbours take; returns per slot the
 *  WGSL expressions of its row and k offsets (constants of the invocation) and whether the last slot may be out. */
function slots(rows: number, cols: number, fast: 'row' | 'col', threads: number, rowIsK: boolean): Slot[] {
  const out: Slot[] = [];
  for (let e0 = 0; e0 < rows * cols; e0 += threads) {
    const e = `(t + ${e0})`;
    const [r, c] = fast === 'col' ? [`(${e} / ${cols})`, `(${e} % ${cols})`] : [`(${e} % ${rows})`, `(${e} / ${rows})`];
    const exists = e0 + threads > rows * cols ? `${e} < ${rows * cols}` : null;
    out.push(rowIsK ? { k: r, row: c, exists } : { row: r, k: c, exists });
  }
  return out;
}

function stageCode(op: 'A' | 'B', sl: Slot[], t: GemmTile, el: string): { setup: string; load: string } {
  const [base, limit, width] = op === 'A' ? ['m0', 'u.M', t.tm] : ['n0', 'u.N', t.tn];
  const setup: string[] = [];
  const load: string[] = [];
  sl.forEach((s, i) => {
    const v = `${op.toLowerCase()}${i}`;
    setup.push(`  let ${v}r = ${s.row}; let ${v}c = ${s.k}; let ${v}row = row${op}(${base} + ${v}r); var ${v}k = kBegin + ${v}c; ` +
      `var ${v}s = kInit${op}(${v}k);`);
    load.push(`    ${s.exists ? `if (${s.exists}) ` : ''}{ var v = 0.0; if (${base} + ${v}r < ${limit} && ${v}k < kEnd) { v = load${op}(${v}row, ${v}s, grp); } ` +
      `${op}s[${v}c * ${width} + ${v}r] = ${el}(v); ${v}k = ${v}k + ${t.tk}; ${v}s = kNext${op}(${v}s); }`);
  });
  return { setup: setup.join('\n'), load: load.join('\n') };
}

/**
 * The WGSL body of a GEMM with `loaders` (bindings and the uniform struct come from the runtime). `f16`: the slices
 * are staged in workgroup memory as f16 and multiplied in f16, the products summed in f32 (the inference path behind
 * the device's shader-f16; the runtime adds `enable f16`).
 */
export function gemmBody(t: GemmTile, loaders: GemmLoaders, f16 = false): string {
  const el = f16 ? 'f16' : 'f32';
  const wx = t.tn / t.rn;
  const wy = t.tm / t.rm;
  const threads = wx * wy;
  // A slice: rows m (TM) × cols k (TK); B slice: rows k (TK) × cols n (TN)
  const a = stageCode('A', slots(t.tm, t.tk, loaders.aFast === 'k' ? 'col' : 'row', threads, false), t, el);
  const b = stageCode('B', slots(t.tk, t.tn, loaders.bFast === 'n' ? 'col' : 'row', threads, true), t, el);
  const acc = t.rm * t.rn;
  const inner: string[] = [];
  for (let i = 0; i < t.rm; i++) inner.push(`      let a${i} = As[kk * ${t.tm} + ty + ${i * wy}];`);
  for (let j = 0; j < t.rn; j++) inner.push(`      let b${j} = Bs[kk * ${t.tn} + tx + ${j * wx}];`);
  for (let i = 0; i < t.rm; i++) {
    for (let j = 0; j < t.rn; j++) {
      const k = i * t.rn + j;
      inner.push(f16 ? `      acc[${k}] = acc[${k}] + f32(a${i} * b${j});` : `      acc[${k}] = fma(a${i}, b${j}, acc[${k}]);`);
    }
  }
  const stores: string[] = [];
  for (let i = 0; i < t.rm; i++) {
    for (let j = 0; j < t.rn; j++) {
      stores.push(`  { let m = m0 + ty + ${i * wy}; let n = n0 + tx + ${j * wx}; if (m < u.M && n < u.N) { store(m, n, grp, split, acc[${i * t.rn + j}]); } }`);
    }
  }
  return `
const TK = ${t.tk};
${loaders.code}
var<workgroup> As : array<${el}, ${t.tm * t.tk}>;
var<workgroup> Bs : array<${el}, ${t.tk * t.tn}>;
@compute @workgroup_size(${wx}, ${wy}, 1)
fn main(@builtin(local_invocation_id) lid : vec3<u32>, @builtin(local_invocation_index) li : u32,
        @builtin(workgroup_id) wid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let flat = i32(wid.y * nwg.x + wid.x);
  let tnI = flat % u.tilesN;
  let r1 = flat / u.tilesN;
  let tmI = r1 % u.tilesM;
  let r2 = r1 / u.tilesM;
  let split = r2 % u.splits;
  let grp = r2 / u.splits;
  if (grp >= u.groups) { return; }
  let m0 = tmI * ${t.tm};
  let n0 = tnI * ${t.tn};
  let kBegin = split * u.kPerSplit;
  let kEnd = min(u.K, kBegin + u.kPerSplit);
  let tx = i32(lid.x);
  let ty = i32(lid.y);
  let t = i32(li);
${a.setup}
${b.setup}
  var acc : array<f32, ${acc}>;
  for (var k0 = kBegin; k0 < kEnd; k0 += ${t.tk}) {
${a.load}
${b.load}
    workgroupBarrier();
    for (var kk = 0; kk < ${t.tk}; kk++) {
${inner.join('\n')}
    }
    workgroupBarrier();
  }
${stores.join('\n')}
}`;
}
