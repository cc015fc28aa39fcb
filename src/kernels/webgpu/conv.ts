// Convolutions on webgpu as implicit GEMMs (gemm.ts), per group g of `groups`:
//   forward      y[m, n]  = Σ_k A[m,k]·w[k, n]   m = (b,oh,ow), n = output channel in g, k = (kh,kw,c in g)
//   input grad   dx[m, n] = Σ_k A[m,k]·wᵀ        m = (b,ih,iw), n = input channel in g,  k = (kh,kw,o in g)
//   filter grad  dw[m, n] = Σ_k A[k,m]·dy[k, n] m = (kh,kw,c in g), n = output channel in g, k = (b,oh,ow)
// where A gathers x (or dy) at the tap's pixel, zero outside the image (and, for the input gradient, where the
// stride skips the pixel). A 1×1 / stride-1 / unpadded conv reads x as the plain [pixels, channels] matrix.
// The forward has an epilogue: + bias, batch norm with given statistics, + residual, ReLU — one pass for
// conv + BN + ReLU (+ add) at inference. The filter gradient splits k over workgroups when its M×N is small (partial
// sums, then one reduction pass).
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { ConvActivation } from '../../ops/conv/kernel_names.js';
import { type ConvDims, convUniforms, dimsKey, isPointwise } from './conv_dims.js';
import { gemmBody, planGemm, tileKey, type GemmLoaders } from './gemm.js';
import { type Binding, dispatch, internals, newOutput } from './runtime.js';
import { stridedSum } from './sum.js';

/** The conv's input is pix(x, p) (ops/pix): x holds C_pix channels, the conv reads G = ceil(C_pix / ζ) groups. */
export interface ConvPixInput {
  p: TensorInfo;
  cPix: number;
  zeta: number;
  tau: number;
  /** 0 max, 1 avg, 2 min, 3 w-pix, 4 pick-or-mix (p < τ ? max : avg) */
  mode: number;
  divByGroup: boolean;
}

export interface ConvEpilogue {
  bias?: TensorInfo;
  /** batch norm with given statistics (inference) */
  bn?: { mean: TensorInfo; variance: TensorInfo; gamma: TensorInfo; beta: TensorInfo; eps: number };
  residual?: TensorInfo;
  activation: ConvActivation;
  pix?: ConvPixInput;
}

/** Inference convolutions (ChanlabConvBnAct) in f16 where the device has shader-f16 (setConvF16). */
let f16Inference = process.env.CHANLAB_WEBGPU_F16 === '1';

/** Switches the f16 inference path (CHANLAB_WEBGPU_F16=1 at start-up); returns whether it is now on. */
export function setConvF16(on: boolean): boolean {
  f16Inference = on;
  return f16Inference;
}

/** Whether inference convolutions run in f16 on this device (asked for, and the device has shader-f16). */
export function convF16(b: WebGPUBackend): boolean {
  return f16Inference && internals(b).device.features.has('shader-f16');
}

/** Tests force a tile (by index into the candidates) to cover every tile's code on small shapes. */
let forcedTile: number | undefined;
export function forceConvTile(i: number | undefined): void {
  forcedTile = i;
}

// k-states that walk a flattened (outer, mid, inner) index by TK: (o, m, i) with i < inner, m < mid
function walk3(name: string, inner: string, mid: string): string {
  return `
fn kInit${name}(k : i32) -> vec4<i32> { let i = k % ${inner}; let t = k / ${inner}; return vec4<i32>(t / ${mid}, t % ${mid}, i, 0); }
fn kNext${name}(s : vec4<i32>) -> vec4<i32> {
  var r = s; r.z = r.z + TK;
  while (r.z >= ${inner}) { r.z = r.z - ${inner}; r.y = r.y + 1; if (r.y == ${mid}) { r.y = 0; r.x = r.x + 1; } }
  return r;
}`;
}

// a plain index along k
function walk1(name: string): string {
  return `
fn kInit${name}(k : i32) -> vec4<i32> { return vec4<i32>(k, 0, 0, 0); }
fn kNext${name}(s : vec4<i32>) -> vec4<i32> { return vec4<i32>(s.x + TK, 0, 0, 0); }`;
}

// B of the forward (and A's row of the pointwise forward): a matrix row-major in k
const ROW_N = 'fn rowB(n : i32) -> vec4<i32> { return vec4<i32>(n, 0, 0, 0); }';

// pix(x, p) of group g at pixel offset `at` (channels at..at+C_pix): the official kernel's branches (ops/pix)
const PIX_AT = `
fn pixAt(at : i32, g : i32, pi : f32) -> f32 {
  let lo = at + g * u.zeta;
  let r = min(u.zeta, u.cPix - g * u.zeta);
  var mx = -0x1.fffffep+127f; var mn = 0x1.fffffep+127f; var s = 0.0;
  for (var j = 0; j < r; j++) { let v = px[lo + j]; if (mx < v) { mx = v; } if (mn > v) { mn = v; } s = s + v; }
  let div = select(f32(u.zeta), f32(r), u.divByGroup == 1);
  var mode = u.mode;
  if (mode == 4) { mode = select(1, 0, pi < u.tau); }
  if (mode == 0) { return pi * mx; }
  if (mode == 1) { return (pi * s) / div; }
  if (mode == 2) { return pi * mn; }
  return pi * mx + (1.0 - pi) * (s / div);
}`;

function forwardLoaders(d: ConvDims, ep: ConvEpilogue): GemmLoaders {
  // A[m = (b,oh,ow), k = (kh,kw,c)]: row = (b·H, top row, left column, b), k-state = (kh, kw, c)
  const a = ep.pix ? `fn rowA(m : i32) -> vec4<i32> {
  let ow = m % u.OW; let t = m / u.OW; let oh = t % u.OH; let b = t / u.OH;
  return vec4<i32>(b * u.H, oh * u.sh - u.pt, ow * u.sw - u.pl, b);
}${walk3('A', 'u.ICg', 'u.KW')}${PIX_AT}
fn loadA(r : vec4<i32>, s : vec4<i32>, grp : i32) -> f32 {
  let ih = r.y + s.x * u.dh; let iw = r.z + s.y * u.dw;
  if (ih < 0 || ih >= u.H || iw < 0 || iw >= u.W) { return 0.0; }
  let g = grp * u.ICg + s.z;
  return pixAt(((r.x + ih) * u.W + iw) * u.cPix, g, pp[r.w * u.IC + g]);
}`
    : isPointwise(d)
    ? `fn rowA(m : i32) -> vec4<i32> { return vec4<i32>(m * u.IC, 0, 0, 0); }${walk1('A')}
fn loadA(r : vec4<i32>, s : vec4<i32>, grp : i32) -> f32 { return x[r.x + grp * u.ICg + s.x]; }`
    : `fn rowA(m : i32) -> vec4<i32> {
  let ow = m % u.OW; let t = m / u.OW; let oh = t % u.OH;
  return vec4<i32>((t / u.OH) * u.H, oh * u.sh - u.pt, ow * u.sw - u.pl, 0);
}${walk3('A', 'u.ICg', 'u.KW')}
fn loadA(r : vec4<i32>, s : vec4<i32>, grp : i32) -> f32 {
  let ih = r.y + s.x * u.dh; let iw = r.z + s.y * u.dw;
  if (ih < 0 || ih >= u.H || iw < 0 || iw >= u.W) { return 0.0; }
  return x[((r.x + ih) * u.W + iw) * u.IC + grp * u.ICg + s.z];
}`;
  const steps = [
    ep.bias ? 'v = v + bias[oc];' : '',
    ep.bn ? 'v = (v - bnMean[oc]) * (bnGamma[oc] * inverseSqrt(bnVar[oc] + u.eps)) + bnBeta[oc];' : '',
    ep.residual ? 'v = v + res[m * u.OC + oc];' : '',
    ep.activation === 'relu' ? 'v = max(v, 0.0);' : '',
  ].filter(Boolean).join(' ');
  return {
    aFast: 'k',
    bFast: 'n',
    code: `${a}
${ROW_N}${walk1('B')}
fn loadB(r : vec4<i32>, s : vec4<i32>, grp : i32) -> f32 { return w[s.x * u.OC + grp * u.OCg + r.x]; }
fn store(m : i32, n : i32, grp : i32, split : i32, acc : f32) {
  let oc = grp * u.OCg + n;
  var v = acc; ${steps}
  y[m * u.OC + oc] = v;
}`,
  };
}

function epilogueKey(ep: ConvEpilogue): string {
  return `${ep.pix ? 'pix' : ''}${ep.bias ? 'b' : ''}${ep.bn ? 'n' : ''}${ep.residual ? 'r' : ''}${ep.activation}`;
}

const EPS_UNIFORM = (eps: number) => ({ name: 'eps', type: 'f32' as const, value: eps });

function pixUniforms(px: ConvPixInput | undefined): Array<{ name: string; type: 'i32' | 'f32'; value: number }> {
  if (!px) return [];
  return [{ name: 'cPix', type: 'i32', value: px.cPix }, { name: 'zeta', type: 'i32', value: px.zeta },
    { name: 'tau', type: 'f32', value: px.tau }, { name: 'mode', type: 'i32', value: px.mode },
    { name: 'divByGroup', type: 'i32', value: px.divByGroup ? 1 : 0 }];
}

/** y = act(bn(conv(x, w) + bias) + residual): [N,OH,OW,OC]; `f16`: the GEMM in f16 (convF16). */
export function convForward(b: WebGPUBackend, x: TensorInfo, w: TensorInfo, d: ConvDims, ep: ConvEpilogue, f16 = false): TensorInfo {
  const y = newOutput(b, [d.N, d.OH, d.OW, d.OC]);
  const plan = planGemm(b, { M: d.N * d.OH * d.OW, N: d.OCg, K: d.KH * d.KW * d.ICg, groups: d.groups }, 1, forcedTile);
  const inputs: Binding[] = [{ name: ep.pix ? 'px' : 'x', tensor: x }, { name: 'w', tensor: w }];
  if (ep.pix) inputs.push({ name: 'pp', tensor: ep.pix.p });
  if (ep.bias) inputs.push({ name: 'bias', tensor: ep.bias });
  if (ep.bn) {
    inputs.push({ name: 'bnMean', tensor: ep.bn.mean }, { name: 'bnVar', tensor: ep.bn.variance },
      { name: 'bnGamma', tensor: ep.bn.gamma }, { name: 'bnBeta', tensor: ep.bn.beta });
  }
  if (ep.residual) inputs.push({ name: 'res', tensor: ep.residual });
  const loaders = forwardLoaders(d, ep);
  dispatch(b, {
    name: f16 ? 'conv2d_f16' : 'conv2d', key: `conv_fwd_${tileKey(plan.tile)}_${dimsKey(d)}_${epilogueKey(ep)}${f16 ? '_f16' : ''}`,
    body: () => gemmBody(plan.tile, loaders, f16), enables: f16 ? ['f16'] : [],
    outputs: [{ name: 'y', tensor: y }], inputs,
    uniforms: [...plan.uniforms, ...convUniforms(d), EPS_UNIFORM(ep.bn?.eps ?? 0), ...pixUniforms(ep.pix)],
    dispatch: plan.dispatch,
  });
  return y;
}

function inputGradLoaders(d: ConvDims): GemmLoaders {
  // A[m = (b,ih,iw), k = (kh,kw,o)] = dy at the output pixel the tap reaches (if the stride lands on one)
  const a = isPointwise(d)
    ? `fn rowA(m : i32) -> vec4<i32> { return vec4<i32>(m * u.OC, 0, 0, 0); }${walk1('A')}
fn loadA(r : vec4<i32>, s : vec4<i32>, grp : i32) -> f32 { return dy[r.x + grp * u.OCg + s.x]; }`
    : `fn rowA(m : i32) -> vec4<i32> {
  let iw = m % u.W; let t = m / u.W;
  return vec4<i32>((t / u.H) * u.OH, t % u.H + u.pt, iw + u.pl, 0);
}${walk3('A', 'u.OCg', 'u.KW')}
fn loadA(r : vec4<i32>, s : vec4<i32>, grp : i32) -> f32 {
  let th = r.y - s.x * u.dh; let tw = r.z - s.y * u.dw;
  if (th < 0 || tw < 0 || th % u.sh != 0 || tw % u.sw != 0) { return 0.0; }
  let oh = th / u.sh; let ow = tw / u.sw;
  if (oh >= u.OH || ow >= u.OW) { return 0.0; }
  return dy[((r.x + oh) * u.OW + ow) * u.OC + grp * u.OCg + s.z];
}`;
  // B[k = (kh,kw,o), n = c] = w[kh,kw,c,g·OCg + o]: row = c, k-state = (kh·KW + kw, o)
  const b = `fn rowB(n : i32) -> vec4<i32> { return vec4<i32>(n, 0, 0, 0); }
fn kInitB(k : i32) -> vec4<i32> { return vec4<i32>(k / u.OCg, k % u.OCg, 0, 0); }
fn kNextB(s : vec4<i32>) -> vec4<i32> {
  var r = s; r.y = r.y + TK;
  while (r.y >= u.OCg) { r.y = r.y - u.OCg; r.x = r.x + 1; }
  return r;
}
fn loadB(r : vec4<i32>, s : vec4<i32>, grp : i32) -> f32 { return w[(s.x * u.ICg + r.x) * u.OC + grp * u.OCg + s.y]; }`;
  return {
    aFast: 'k', bFast: 'k',
    code: `${a}
${b}
fn store(m : i32, n : i32, grp : i32, split : i32, v : f32) { dx[m * u.IC + grp * u.ICg + n] = v; }`,
  };
}

/** dx of y = conv(x, w): x's shape [N,H,W,IC], from dy [N,OH,OW,OC]. */
export function convInputGrad(b: WebGPUBackend, dy: TensorInfo, w: TensorInfo, d: ConvDims): TensorInfo {
  const dx = newOutput(b, [d.N, d.H, d.W, d.IC]);
  const plan = planGemm(b, { M: d.N * d.H * d.W, N: d.ICg, K: d.KH * d.KW * d.OCg, groups: d.groups }, 1, forcedTile);
  const loaders = inputGradLoaders(d);
  dispatch(b, {
    name: 'conv2d_input_grad', key: `conv_dx_${tileKey(plan.tile)}_${dimsKey(d)}`,
    body: () => gemmBody(plan.tile, loaders),
    outputs: [{ name: 'dx', tensor: dx }], inputs: [{ name: 'dy', tensor: dy }, { name: 'w', tensor: w }],
    uniforms: [...plan.uniforms, ...convUniforms(d)],
    dispatch: plan.dispatch,
  });
  return dx;
}

function filterGradLoaders(d: ConvDims, split: boolean): GemmLoaders {
  // A[k = (b,oh,ow), m = (kh,kw,c)] = x at the tap: row = (top offset, left offset, c), k-state = (b, oh, ow)
  const a = isPointwise(d)
    ? `fn rowA(m : i32) -> vec4<i32> { return vec4<i32>(m, 0, 0, 0); }${walk1('A')}
fn loadA(r : vec4<i32>, s : vec4<i32>, grp : i32) -> f32 { return x[s.x * u.IC + grp * u.ICg + r.x]; }`
    : `fn rowA(m : i32) -> vec4<i32> {
  let c = m % u.ICg; let t = m / u.ICg;
  return vec4<i32>((t / u.KW) * u.dh - u.pt, (t % u.KW) * u.dw - u.pl, c, 0);
}${walk3('A', 'u.OW', 'u.OH')}
fn loadA(r : vec4<i32>, s : vec4<i32>, grp : i32) -> f32 {
  let ih = s.y * u.sh + r.x; let iw = s.z * u.sw + r.y;
  if (ih < 0 || ih >= u.H || iw < 0 || iw >= u.W) { return 0.0; }
  return x[((s.x * u.H + ih) * u.W + iw) * u.IC + grp * u.ICg + r.z];
}`;
  // rows m = (kh,kw,c) of the filter, columns n = output channel in the group; dw is [KH·KW·ICg, OC]
  const at = 'm * u.OC + grp * u.OCg + n';
  return {
    aFast: 'm', bFast: 'n',
    code: `${a}
${ROW_N}${walk1('B')}
fn loadB(r : vec4<i32>, s : vec4<i32>, grp : i32) -> f32 { return dy[s.x * u.OC + grp * u.OCg + r.x]; }
fn store(m : i32, n : i32, grp : i32, split : i32, v : f32) { ${split ? `dw[split * u.M * u.groups * u.N + ${at}] = v;` : `dw[${at}] = v;`} }`,
  };
}

/** Splits of k the filter gradient may use (each keeps a filter-sized partial sum). */
const MAX_FILTER_SPLITS = 64;

/** dw of y = conv(x, w): the filter's shape [KH,KW,ICg,OC], from x and dy. */
export function convFilterGrad(b: WebGPUBackend, x: TensorInfo, dy: TensorInfo, d: ConvDims): TensorInfo {
  const shape = [d.KH, d.KW, d.ICg, d.OC];
  const size = d.KH * d.KW * d.ICg * d.OC;
  const plan = planGemm(b, { M: d.KH * d.KW * d.ICg, N: d.OCg, K: d.N * d.OH * d.OW, groups: d.groups }, MAX_FILTER_SPLITS, forcedTile);
  const split = plan.splits > 1;
  const target = newOutput(b, split ? [plan.splits * size] : shape);
  const loaders = filterGradLoaders(d, split);
  dispatch(b, {
    name: 'conv2d_filter_grad', key: `conv_dw_${tileKey(plan.tile)}_${dimsKey(d)}_${split ? 's' : '1'}`,
    body: () => gemmBody(plan.tile, loaders),
    outputs: [{ name: 'dw', tensor: target }], inputs: [{ name: 'x', tensor: x }, { name: 'dy', tensor: dy }],
    uniforms: [...plan.uniforms, ...convUniforms(d)],
    dispatch: plan.dispatch,
  });
  if (!split) return target;
  const dw = stridedSum(b, target, shape, { inner: size, outerStride: 0, count: plan.splits, stride: size, scale: 1 });
  b.disposeData(target.dataId);
  return dw;
}
