// webgpu kernel for ChanlabPixGate: p = act(GAP(x)·W + b) (docs/methods/pix.md §3) in ONE dispatch, one workgroup
// per image: its 256 invocations sum x over the pixels (neighbouring invocations read neighbouring channels; with
// fewer than 256 channels, several pixel lanes per channel), fold the lanes in workgroup memory into the channel
// means, then each computes outputs g, g + 256, … of the 1×1 conv and the activation. The gradient is the op's
// (stock ops, src/ops/pix/gate_gradient.ts).
import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ChanlabPixGate, type PixGateAttrs } from '../../ops/pix/kernel_names.js';
import { dispatch, internals, newOutput } from './runtime.js';

const T = 256;

/** Channel lanes for C channels: a power of two ≤ 256 covering C where it can (pixel lanes = 256 / lanes). */
function channelLanes(C: number): number {
  let l = 32;
  while (l < T && l < C) l *= 2;
  return l;
}

function body(lanes: number, cap: number, tanh: boolean, bias: boolean): string {
  const pl = T / lanes;
  return `
var<workgroup> part : array<f32, ${cap}>;
@compute @workgroup_size(${T})
fn main(@builtin(local_invocation_index) li : u32, @builtin(workgroup_id) wid : vec3<u32>) {
  let n = i32(wid.x);
  let t = i32(li);
  let cl = t % ${lanes};
  let pl = t / ${lanes};
  let base = n * u.HW * u.C;
  // partial sums: part[pl·C + c] over pixels pl, pl + ${pl}, …
  for (var c = cl; c < u.C; c += ${lanes}) {
    var s = 0.0;
    for (var q = pl; q < u.HW; q += ${pl}) { s = s + x[base + q * u.C + c]; }
    part[pl * u.C + c] = s;
  }
  workgroupBarrier();
  if (pl == 0) {
    for (var c = cl; c < u.C; c += ${lanes}) {
      var s = part[c];
      for (var k = 1; k < ${pl}; k++) { s = s + part[k * u.C + c]; }
      part[c] = s / f32(u.HW);
    }
  }
  workgroupBarrier();
  for (var g = t; g < u.G; g += ${T}) {
    var a = ${bias ? 'bias[g]' : '0.0'};
    for (var c = 0; c < u.C; c++) { a = a + part[c] * w[c * u.G + g]; }
    p[n * u.G + g] = ${tanh ? '0.5 * (1.0 + tanh(a))' : '1.0 / (1.0 + exp(-a))'};
  }
}`;
}

const gate: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGPUBackend;
  const { x, weight, bias } = inputs as { x: TensorInfo; weight: TensorInfo; bias?: TensorInfo };
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const G = weight.shape[3]!;
  const tanh = (attrs as unknown as PixGateAttrs).activation === 'tanh';
  const hasBias = bias !== undefined && util.sizeFromShape(bias.shape) > 0;
  const lanes = channelLanes(C);
  // partial sums of all pixel lanes, or the C means: whichever is larger
  const cap = Math.max((T / lanes) * C, C);
  const limit = internals(b).device.limits.maxComputeWorkgroupStorageSize / 4;
  if (cap > limit) throw new Error(`${ChanlabPixGate}: ${C} channels need ${cap * 4} bytes of workgroup memory, the device offers ${limit * 4}`);
  const p = newOutput(b, [N, 1, 1, G]);
  dispatch(b, {
    name: 'pix_gate', key: `pix_gate_${lanes}_${cap}_${+tanh}${+hasBias}`, body: () => body(lanes, cap, tanh, hasBias),
    outputs: [{ name: 'p', tensor: p }],
    inputs: [{ name: 'x', tensor: x }, { name: 'w', tensor: weight }, ...(hasBias ? [{ name: 'bias', tensor: bias! }] : [])],
    uniforms: [{ name: 'HW', type: 'i32', value: H * W }, { name: 'C', type: 'i32', value: C }, { name: 'G', type: 'i32', value: G }],
    dispatch: [N, 1, 1],
  });
  return p;
};

export const pixGateKernels: KernelConfig[] = [{ kernelName: ChanlabPixGate, backendName: 'webgpu', kernelFunc: gate }];
