// Mean over the spatial axes of NHWC on webgpu (global average pooling: every model's head, SE gates) in one
// dispatch (sum.ts): one invocation per (image, channel), neighbouring invocations on neighbouring channels. tfjs's
// stock Mean transposes the reduced axes last and then reduces (two dispatches); other axes go to it.
import { backend_util, Mean, util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { stridedSum } from './sum.js';
import { replacing } from './Conv2D.js';

function mean(args: Parameters<KernelFunc>[0], stock: KernelFunc): TensorInfo | TensorInfo[] {
  const b = args.backend as unknown as WebGPUBackend;
  const { x } = args.inputs as { x: TensorInfo };
  const a = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const axes = x.shape.length === 4 ? util.parseAxisParam(a.axis, x.shape).sort((p, q) => p - q) : [];
  if (axes.length !== 2 || axes[0] !== 1 || axes[1] !== 2 || x.dtype !== 'float32') return stock(args);
  const [N, H, W, C] = x.shape as [number, number, number, number];
  return stridedSum(b, x, a.keepDims ? backend_util.expandShapeToKeepDim([N, C], axes) : [N, C],
    { inner: C, outerStride: H * W * C, count: H * W, stride: C, scale: 1 / (H * W) });
}

export const meanReplacements = [replacing(Mean, mean)];
