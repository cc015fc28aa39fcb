// What every PiX kernel (cpu, wasm, webgpu, native) reads from its call first: the attributes, x [N,H,W,C],
// p [N,G] and the dims.
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { PixAttrs } from '../../ops/pix/kernel_names.js';
import { pixDims, type PixDims } from '../../ops/pix/shape.js';

export interface PixKernelArgs {
  a: PixAttrs;
  x: TensorInfo;
  p: TensorInfo;
  d: PixDims;
}

export function pixKernelArgs(inputs: NamedTensorInfoMap, attrs: NamedAttrMap | undefined): PixKernelArgs {
  const a = attrs as unknown as PixAttrs;
  const x = inputs.x as TensorInfo;
  return { a, x, p: inputs.p as TensorInfo, d: pixDims(x.shape, a.zeta) };
}
