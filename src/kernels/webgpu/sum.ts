// out[i] = scale · Σ_{j < count} input[base(i) + j·stride] with base(i) = ⌊i / inner⌋·outerStride + i mod inner: one
// invocation per output, neighbouring invocations on neighbouring addresses. The spatial mean of NHWC (i = (n, c):
// inner C, outer H·W·C, stride C, count H·W) and the split-k reduction of the filter gradient (the partial sums
// one filter apart) are both this.
import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { dispatch, grid1d, newOutput } from './runtime.js';

export interface StridedSum { inner: number; outerStride: number; count: number; stride: number; scale: number }

export function stridedSum(b: WebGPUBackend, input: TensorInfo, outShape: number[], o: StridedSum): TensorInfo {
  const out = newOutput(b, outShape);
  const n = util.sizeFromShape(outShape);
  dispatch(b, {
    name: 'strided_sum', key: 'strided_sum',
    body: () => `
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = i32(gid.y * nwg.x * 64u + gid.x);
  if (i >= u.n) { return; }
  let base = (i / u.inner) * u.outerStride + i % u.inner;
  var s = 0.0;
  for (var j = 0; j < u.count; j++) { s = s + src[base + j * u.stride]; }
  dst[i] = s * u.scale;
}`,
    outputs: [{ name: 'dst', tensor: out }], inputs: [{ name: 'src', tensor: input }],
    uniforms: [{ name: 'n', type: 'i32', value: n }, { name: 'inner', type: 'i32', value: o.inner },
      { name: 'outerStride', type: 'i32', value: o.outerStride }, { name: 'count', type: 'i32', value: o.count },
      { name: 'stride', type: 'i32', value: o.stride }, { name: 'scale', type: 'f32', value: o.scale }],
    dispatch: grid1d(b, n, 64),
  });
  return out;
}
