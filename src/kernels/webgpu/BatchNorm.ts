// Training batch norm on webgpu in two passes each way (ChanlabBatchNormTrainAct / …Grad, ops/batchnorm):
//   forward  1. statistics: per (chunk of rows, channel) count, mean and M2 (Welford per invocation, Chan's rule
//               across invocations) -> partials [chunks, C, 3]
//            2. normalise: every workgroup combines the partials of its 32 channels (Chan's rule), then writes
//               y = act(x·s + t + residual) with s = γ·σ⁻¹, t = β − μ·s; the first row chunk also writes μ, σ², σ⁻¹
//               and updates the running statistics in place
//   backward 1. per (chunk, channel) Σ dz and Σ dz·x̂ with dz = dy·[y > 0] for ReLU -> partials [chunks, C, 2]
//            2. dx = γσ⁻¹·(dz − Σdz/M − x̂·Σdz·x̂/M), dResidual = dz; the first chunk writes dγ, dβ
// (x̂ = (x − μ)·σ⁻¹, M = N·H·W). Rows are the N·H·W pixels of NHWC, so 32 neighbouring invocations read 32
// neighbouring channels of a row.
import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  ChanlabBatchNormTrainAct, ChanlabBatchNormTrainActGrad, type BatchNormTrainActAttrs,
} from '../../ops/batchnorm/kernel_names.js';
import { type Binding, dispatch, grid1d, internals, newOutput, ownsData, targetWorkgroups } from './runtime.js';

type Args = Parameters<KernelFunc>[0];

const TC = 32; // channels per workgroup
const RL = 8; // row lanes per workgroup
const MAX_CHUNKS = 128;

interface Chunks { M: number; C: number; tilesC: number; chunks: number; rowsPerChunk: number }

function chunking(M: number, C: number, target: number): Chunks {
  const tilesC = Math.ceil(C / TC);
  const want = Math.min(MAX_CHUNKS, Math.max(1, Math.ceil(target / tilesC)));
  const rowsPerChunk = Math.max(RL * 4, Math.ceil(M / want));
  return { M, C, tilesC, chunks: Math.ceil(M / rowsPerChunk), rowsPerChunk };
}

function chunkUniforms(c: Chunks): Array<{ name: string; type: 'i32'; value: number }> {
  return (['M', 'C', 'tilesC', 'chunks', 'rowsPerChunk'] as const).map((name) => ({ name, type: 'i32' as const, value: c[name] }));
}

// the workgroup's tile of channels and chunk of rows; returns early (uniformly) past the last chunk
const HEAD = `
@compute @workgroup_size(${TC}, ${RL}, 1)
fn main(@builtin(local_invocation_id) lid : vec3<u32>, @builtin(workgroup_id) wid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let flat = i32(wid.y * nwg.x + wid.x);
  let tile = flat % u.tilesC;
  let chunk = flat / u.tilesC;
  if (chunk >= u.chunks) { return; }
  let lx = i32(lid.x);
  let ly = i32(lid.y);
  let li = ly * ${TC} + lx;
  let c = tile * ${TC} + lx;
  let r0 = chunk * u.rowsPerChunk;
  let r1 = min(u.M, r0 + u.rowsPerChunk);`;

// tree over the row lanes of workgroup arrays; `step(a, b)` folds lane b into lane a
function laneTree(step: string): string {
  return `
  workgroupBarrier();
  for (var s = ${RL / 2}; s > 0; s = s / 2) {
    if (ly < s) { ${step} }
    workgroupBarrier();
  }`;
}

const CHAN = `
// Chan's rule: (na, ma, qa) ⊕ (nb, mb, qb) for count, mean, sum of squared deviations
fn chan(a : vec3<f32>, b : vec3<f32>) -> vec3<f32> {
  let n = a.x + b.x;
  if (n == 0.0) { return a; }
  let d = b.y - a.y;
  return vec3<f32>(n, a.y + d * b.x / n, a.z + b.z + d * d * a.x * b.x / n);
}`;

function statsBody(): string {
  return `${CHAN}
var<workgroup> acc : array<vec3<f32>, ${TC * RL}>;
${HEAD}
  var w = vec3<f32>(0.0, 0.0, 0.0);
  if (c < u.C) {
    for (var r = r0 + ly; r < r1; r += ${RL}) {
      let v = x[r * u.C + c];
      w.x = w.x + 1.0;
      let d = v - w.y;
      w.y = w.y + d / w.x;
      w.z = w.z + d * (v - w.y);
    }
  }
  acc[li] = w;${laneTree(`acc[li] = chan(acc[li], acc[li + s * ${TC}]);`)}
  if (ly == 0 && c < u.C) {
    let o = (chunk * u.C + c) * 3;
    part[o] = acc[li].x; part[o + 1] = acc[li].y; part[o + 2] = acc[li].z;
  }
}`;
}

interface FwdFlags { residual: boolean; relu: boolean; update: boolean }

function normaliseBody(f: FwdFlags): string {
  return `${CHAN}
var<workgroup> sc : array<f32, ${TC}>;
var<workgroup> sh : array<f32, ${TC}>;
${HEAD}
  if (ly == 0 && c < u.C) {
    var w = vec3<f32>(0.0, 0.0, 0.0);
    for (var k = 0; k < u.chunks; k++) {
      let o = (k * u.C + c) * 3;
      w = chan(w, vec3<f32>(part[o], part[o + 1], part[o + 2]));
    }
    let variance = w.z / w.x;
    let inv = inverseSqrt(variance + u.eps);
    let s = gamma[c] * inv;
    sc[lx] = s;
    sh[lx] = beta[c] - w.y * s;
    if (chunk == 0) {
      meanOut[c] = w.y; varOut[c] = variance; invOut[c] = inv;${f.update ? `
      runMean[c] = (1.0 - u.momentum) * runMean[c] + u.momentum * w.y;
      runVar[c] = (1.0 - u.momentum) * runVar[c] + u.momentum * variance * u.unbias;` : ''}
    }
  }${f.update ? `
  if (chunk == 0 && tile == 0 && li == 0) { tracked[0] = tracked[0] + 1; }` : ''}
  workgroupBarrier();
  if (c < u.C) {
    let s = sc[lx];
    let t = sh[lx];
    for (var r = r0 + ly; r < r1; r += ${RL}) {
      let i = r * u.C + c;
      var v = x[i] * s + t;${f.residual ? '\n      v = v + res[i];' : ''}${f.relu ? '\n      v = max(v, 0.0);' : ''}
      y[i] = v;
    }
  }
}`;
}

function check(name: string, b: WebGPUBackend, bindings: number): void {
  const have = internals(b).device.limits.maxStorageBuffersPerShaderStage;
  if (have < bindings) {
    throw new Error(`${name}: needs ${bindings} storage buffers per shader stage, the device offers ${have}; ` +
      'set CHANLAB_WEBGPU_KERNELS=0 to use tfjs\'s kernels');
  }
}

function batchNormTrainAct(args: Args): TensorInfo[] {
  const b = args.backend as unknown as WebGPUBackend;
  const { x, gamma, beta, residual, runningMean, runningVar, numBatchesTracked } = args.inputs as Record<string, TensorInfo | undefined>;
  const a = args.attrs as unknown as BatchNormTrainActAttrs;
  const C = x!.shape[x!.shape.length - 1]!;
  const M = util.sizeFromShape(x!.shape) / C;
  const running = [runningMean, runningVar, numBatchesTracked];
  if (running.some((t) => t !== undefined) && running.some((t) => t === undefined)) {
    throw new Error(`${ChanlabBatchNormTrainAct}: give all of runningMean, runningVar and numBatchesTracked, or none`);
  }
  // in place: the caller passes running statistics only when nothing else holds their data
  const update = runningMean !== undefined;
  if (update && !running.every((t) => ownsData(b, t!))) {
    throw new Error(`${ChanlabBatchNormTrainAct}: the running statistics share their data with other tensors; they cannot be updated in place`);
  }
  const ch = chunking(M, C, targetWorkgroups(b));
  const part = newOutput(b, [ch.chunks * C * 3]);
  const grid = grid1d(b, ch.tilesC * ch.chunks, 1);
  dispatch(b, {
    name: 'batchnorm_stats', key: 'bn_stats', body: statsBody,
    outputs: [{ name: 'part', tensor: part }], inputs: [{ name: 'x', tensor: x! }],
    uniforms: chunkUniforms(ch), dispatch: grid,
  });
  const f: FwdFlags = { residual: residual !== undefined, relu: a.activation === 'relu', update };
  const [y, mean, variance, invStd] = [newOutput(b, [...x!.shape]), newOutput(b, [C]), newOutput(b, [C]), newOutput(b, [C])];
  const outputs: Binding[] = [{ name: 'y', tensor: y }, { name: 'meanOut', tensor: mean }, { name: 'varOut', tensor: variance },
    { name: 'invOut', tensor: invStd }];
  if (update) {
    outputs.push({ name: 'runMean', tensor: runningMean! }, { name: 'runVar', tensor: runningVar! },
      { name: 'tracked', tensor: numBatchesTracked!, type: 'i32' });
  }
  const inputs: Binding[] = [{ name: 'x', tensor: x! }, { name: 'gamma', tensor: gamma! }, { name: 'beta', tensor: beta! },
    { name: 'part', tensor: part }];
  if (residual) inputs.push({ name: 'res', tensor: residual });
  check(ChanlabBatchNormTrainAct, b, outputs.length + inputs.length);
  dispatch(b, {
    name: 'batchnorm_normalise', key: `bn_norm_${+f.residual}${+f.relu}${+f.update}`, body: () => normaliseBody(f),
    outputs, inputs,
    uniforms: [...chunkUniforms(ch), { name: 'eps', type: 'f32', value: a.eps }, { name: 'momentum', type: 'f32', value: a.momentum },
      { name: 'unbias', type: 'f32', value: a.unbias }],
    dispatch: grid,
  });
  b.disposeData(part.dataId);
  return [y, mean, variance, invStd];
}

// dz = dy·[y > 0] for ReLU; x̂ from the saved statistics
function dzHat(relu: boolean): string {
  return `let dz = ${relu ? 'select(0.0, dy[i], y[i] > 0.0)' : 'dy[i]'};
      let xh = (x[i] - mu) * inv;`;
}

function gradReduceBody(relu: boolean): string {
  return `
var<workgroup> acc : array<vec2<f32>, ${TC * RL}>;
${HEAD}
  var sum = vec2<f32>(0.0, 0.0);
  if (c < u.C) {
    let mu = mean[c];
    let inv = invStd[c];
    for (var r = r0 + ly; r < r1; r += ${RL}) {
      let i = r * u.C + c;
      ${dzHat(relu)}
      sum = sum + vec2<f32>(dz, dz * xh);
    }
  }
  acc[li] = sum;${laneTree(`acc[li] = acc[li] + acc[li + s * ${TC}];`)}
  if (ly == 0 && c < u.C) {
    let o = (chunk * u.C + c) * 2;
    part[o] = acc[li].x; part[o + 1] = acc[li].y;
  }
}`;
}

function gradApplyBody(relu: boolean, residual: boolean): string {
  return `
var<workgroup> sums : array<vec2<f32>, ${TC}>;
${HEAD}
  if (ly == 0 && c < u.C) {
    var sum = vec2<f32>(0.0, 0.0);
    for (var k = 0; k < u.chunks; k++) {
      let o = (k * u.C + c) * 2;
      sum = sum + vec2<f32>(part[o], part[o + 1]);
    }
    sums[lx] = sum;
    if (chunk == 0) { dBeta[c] = sum.x; dGamma[c] = sum.y; }
  }
  workgroupBarrier();
  if (c < u.C) {
    let mu = mean[c];
    let inv = invStd[c];
    let k = gamma[c] * inv;
    let m = f32(u.M);
    let db = sums[lx].x / m;
    let dg = sums[lx].y / m;
    for (var r = r0 + ly; r < r1; r += ${RL}) {
      let i = r * u.C + c;
      ${dzHat(relu)}
      dx[i] = k * (dz - db - xh * dg);${residual ? '\n      dres[i] = dz;' : ''}
    }
  }
}`;
}

function batchNormTrainActGrad(args: Args): TensorInfo[] {
  const b = args.backend as unknown as WebGPUBackend;
  const { dy, x, y, mean, invStd, gamma } = args.inputs as Record<string, TensorInfo>;
  const a = args.attrs as unknown as { activation: 'linear' | 'relu'; residual: boolean };
  const C = x!.shape[x!.shape.length - 1]!;
  const ch = chunking(util.sizeFromShape(x!.shape) / C, C, targetWorkgroups(b));
  const relu = a.activation === 'relu';
  const grid = grid1d(b, ch.tilesC * ch.chunks, 1);
  const part = newOutput(b, [ch.chunks * C * 2]);
  const stats: Binding[] = [{ name: 'dy', tensor: dy! }, { name: 'x', tensor: x! }, ...(relu ? [{ name: 'y', tensor: y! }] : []),
    { name: 'mean', tensor: mean! }, { name: 'invStd', tensor: invStd! }];
  dispatch(b, {
    name: 'batchnorm_grad_sums', key: `bn_gsum_${+relu}`, body: () => gradReduceBody(relu),
    outputs: [{ name: 'part', tensor: part }], inputs: stats, uniforms: chunkUniforms(ch), dispatch: grid,
  });
  const [dx, dGamma, dBeta] = [newOutput(b, [...x!.shape]), newOutput(b, [C]), newOutput(b, [C])];
  const dres = a.residual ? newOutput(b, [...x!.shape]) : null;
  const outputs: Binding[] = [{ name: 'dx', tensor: dx }, { name: 'dGamma', tensor: dGamma }, { name: 'dBeta', tensor: dBeta },
    ...(dres ? [{ name: 'dres', tensor: dres }] : [])];
  const inputs = [...stats, { name: 'gamma', tensor: gamma! }, { name: 'part', tensor: part }];
  check(ChanlabBatchNormTrainActGrad, b, outputs.length + inputs.length);
  dispatch(b, {
    name: 'batchnorm_grad_apply', key: `bn_gapply_${+relu}${+a.residual}`, body: () => gradApplyBody(relu, a.residual),
    outputs, inputs, uniforms: chunkUniforms(ch), dispatch: grid,
  });
  b.disposeData(part.dataId);
  return dres ? [dx, dGamma, dBeta, dres] : [dx, dGamma, dBeta];
}

export const batchNormKernels: KernelConfig[] = [
  { kernelName: ChanlabBatchNormTrainAct, backendName: 'webgpu', kernelFunc: batchNormTrainAct as KernelFunc },
  { kernelName: ChanlabBatchNormTrainActGrad, backendName: 'webgpu', kernelFunc: batchNormTrainActGrad as KernelFunc },
];
