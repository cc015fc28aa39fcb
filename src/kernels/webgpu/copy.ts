// A raw WGSL copy (y = x, four floats per invocation where the size allows): the bandwidth ceiling the PiX kernels
// are measured against, recorded through the same dispatch path and timed the same way (GPU timestamps).
import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { dispatch, grid1d, newOutput } from './runtime.js';

/** A copy of x (float32) on the GPU. */
export function copyOnGPU(b: WebGPUBackend, x: TensorInfo): TensorInfo {
  const n = util.sizeFromShape(x.shape);
  const vec = n % 4 === 0;
  const y = newOutput(b, [...x.shape]);
  dispatch(b, {
    name: 'copy', key: `copy_${+vec}`,
    body: () => `
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = i32(gid.y * nwg.x * 256u + gid.x);
  if (i < u.n) { y[i] = x[i]; }
}`,
    outputs: [{ name: 'y', tensor: y, type: vec ? 'vec4<f32>' : 'f32' }], inputs: [{ name: 'x', tensor: x, type: vec ? 'vec4<f32>' : 'f32' }],
    uniforms: [{ name: 'n', type: 'i32', value: vec ? n / 4 : n }],
    dispatch: grid1d(b, vec ? n / 4 : n, 256),
  });
  return y;
}
