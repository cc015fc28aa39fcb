// torch.optim.SGD's update for many parameters per dispatch on webgpu (multi-tensor apply): each dispatch binds K
// parameters with their gradients and momentum buffers (K from the device's storage-buffer limit) and one invocation
// per element updates, in place,
//   g = grad + wd·w;  buf = first ? g : μ·buf + (1 − dampening)·g;  g = nesterov ? g + μ·buf : buf;  w = w − lr·g
// (without momentum: w = w − lr·(grad + wd·w)). An element finds its parameter from the cumulative sizes in the
// uniforms. Weights and buffers are written in place, so the caller passes only tensors that own their data.
import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { type Binding, dispatch, grid1d, internals } from './runtime.js';

export interface SgdItem {
  w: TensorInfo;
  grad: TensorInfo;
  /** the momentum buffer (w's shape); with `first` its old contents are ignored */
  buf: TensorInfo | null;
  first: boolean;
  weightDecay: number;
}

export interface SgdHyper {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
}

const MAX_PER_DISPATCH = 16;

/** Parameters per dispatch on this device: every one binds w, its gradient and (with momentum) its buffer. */
export function sgdPerDispatch(b: WebGPUBackend, momentum: boolean): number {
  const limit = internals(b).device.limits.maxStorageBuffersPerShaderStage;
  return Math.max(1, Math.min(MAX_PER_DISPATCH, Math.floor(limit / (momentum ? 3 : 2))));
}

function body(k: number, momentum: boolean, nesterov: boolean): string {
  const branches: string[] = [];
  for (let j = 0; j < k; j++) {
    const update = momentum
      ? `let g = g${j}[e] + u.wd${j} * w${j}[e];
    let bb = select(u.mom * b${j}[e] + u.damp1 * g, g, u.first${j} == 1);
    b${j}[e] = bb;
    w${j}[e] = w${j}[e] - u.lr * ${nesterov ? '(g + u.mom * bb)' : 'bb'};`
      : `w${j}[e] = w${j}[e] - u.lr * (g${j}[e] + u.wd${j} * w${j}[e]);`;
    branches.push(`${j === 0 ? '' : 'else '}if (i < u.end${j}) {
    let e = i - u.start${j};
    ${update}
  }`);
  }
  return `
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = i32(gid.y * nwg.x * 256u + gid.x);
  ${branches.join(' ')}
}`;
}

/** Applies one SGD step to `items` in ceil(n / K) dispatches. */
export function sgdMultiTensor(b: WebGPUBackend, items: SgdItem[], h: SgdHyper): void {
  const momentum = h.momentum !== 0;
  const per = sgdPerDispatch(b, momentum);
  for (let i0 = 0; i0 < items.length; i0 += per) {
    const chunk = items.slice(i0, i0 + per);
    const outputs: Binding[] = [];
    const inputs: Binding[] = [];
    const uniforms: Array<{ name: string; type: 'i32' | 'f32'; value: number }> = [
      { name: 'lr', type: 'f32', value: h.lr }, { name: 'mom', type: 'f32', value: h.momentum },
      { name: 'damp1', type: 'f32', value: 1 - h.dampening },
    ];
    let start = 0;
    chunk.forEach((it, j) => {
      const n = util.sizeFromShape(it.w.shape);
      outputs.push({ name: `w${j}`, tensor: it.w });
      if (momentum) outputs.push({ name: `b${j}`, tensor: it.buf! });
      inputs.push({ name: `g${j}`, tensor: it.grad });
      uniforms.push({ name: `start${j}`, type: 'i32', value: start }, { name: `end${j}`, type: 'i32', value: start + n },
        { name: `wd${j}`, type: 'f32', value: it.weightDecay }, { name: `first${j}`, type: 'i32', value: it.first ? 1 : 0 });
      start += n;
    });
    dispatch(b, {
      name: 'sgd_update', key: `sgd_${chunk.length}_${+momentum}${+h.nesterov}`, body: () => body(chunk.length, momentum, h.nesterov),
      outputs, inputs, uniforms, dispatch: grid1d(b, start, 256),
    });
  }
}
