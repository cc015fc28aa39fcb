// Mean over the spatial axes of NHWC on webgpu (global average pooling: every model's head, SE gates) in one
// dispatch: one invocation per (image, channel), neighbouring invocations on neighbouring channels. tfjs's stock Mean
// transposes the reduced axes last and then reduces (two dispatches); other axes go to it (stock.ts).
import { backend_util, Mean, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { dispatch, grid1d, newOutput } from './runtime.js';
import { stock } from './stock.js';

const mean: KernelFunc = (args) => {
  const b = args.backend as unknown as WebGPUBackend;
  const { x } = args.inputs as { x: TensorInfo };
  const a = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const axes = x.shape.length === 4 ? util.parseAxisParam(a.axis, x.shape).sort((p, q) => p - q) : [];
  if (axes.length !== 2 || axes[0] !== 1 || axes[1] !== 2 || x.dtype !== 'float32') return stock(Mean, args);
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const out = newOutput(b, a.keepDims ? backend_util.expandShapeToKeepDim([N, C], axes) : [N, C]);
  dispatch(b, {
    name: 'spatial_mean', key: 'spatial_mean',
    body: () => `
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = i32(gid.y * nwg.x * 64u + gid.x);
  if (i >= u.N * u.C) { return; }
  let n = i / u.C;
  let c = i % u.C;
  var s = 0.0;
  for (var q = 0; q < u.HW; q++) { s = s + x[(n * u.HW + q) * u.C + c]; }
  y[i] = s / f32(u.HW);
}`,
    outputs: [{ name: 'y', tensor: out }], inputs: [{ name: 'x', tensor: x }],
    uniforms: [{ name: 'N', type: 'i32', value: N }, { name: 'HW', type: 'i32', value: H * W }, { name: 'C', type: 'i32', value: C }],
    dispatch: grid1d(b, N * C, 64),
  });
  return out;
};

export const meanReplacements: KernelConfig[] = [{ kernelName: Mean, backendName: 'webgpu', kernelFunc: mean }];
