// Native inference-path kernels for the wasm backend that the batch-1 latency profile shows after convolutions:
// FusedBatchNorm with given statistics (a per-channel scale and shift) and Mean over the spatial axes of NHWC
// (global average pooling, e.g. PiX's and SE's gates). One OpenMP pass each, in place on the wasm heap.
import { backend_util, FusedBatchNorm, Mean, util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { addon, fallback, type KernelArgs, nativeOk, views } from './common.js';

function size(t: TensorInfo): number {
  return util.sizeFromShape(t.shape);
}

function fusedBatchNorm(args: KernelArgs): TensorInfo | TensorInfo[] {
  const b = args.backend as BackendWasm;
  const { x, mean, variance, scale, offset } = args.inputs as Record<'x' | 'mean' | 'variance', TensorInfo> &
    Partial<Record<'scale' | 'offset', TensorInfo>>;
  const eps = (args.attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
  const c = x!.shape[x!.shape.length - 1]!;
  const perChannel = [mean, variance, scale, offset].every((t) => t === undefined || size(t) === c);
  const present = [x!, mean!, variance!, ...(scale ? [scale] : []), ...(offset ? [offset] : [])];
  if (!perChannel || !nativeOk(...present)) return fallback(FusedBatchNorm, args);
  const out = b.makeOutput([...x!.shape], 'float32');
  const [xv, mv, vv, yv] = views(b, x!, mean!, variance!, out);
  const sv = scale ? views(b, scale)[0]! : null;
  const ov = offset ? views(b, offset)[0]! : null;
  addon().batchNormInference(xv!, mv!, vv!, sv, ov, yv!, size(x!) / c, c, eps);
  return out;
}

function mean(args: KernelArgs): TensorInfo | TensorInfo[] {
  const b = args.backend as BackendWasm;
  const { x } = args.inputs as { x: TensorInfo };
  const a = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const axes = x.shape.length === 4 ? util.parseAxisParam(a.axis, x.shape).sort((p, q) => p - q) : [];
  if (axes.length !== 2 || axes[0] !== 1 || axes[1] !== 2 || !nativeOk(x)) return fallback(Mean, args);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const shape = a.keepDims ? backend_util.expandShapeToKeepDim([n, c], axes) : [n, c];
  const out = b.makeOutput(shape, 'float32');
  const [xv, yv] = views(b, x, out);
  addon().spatialMean(xv!, yv!, n, h * w, c);
  return out;
}

export const nativeInferenceKernels = [
  { kernelName: FusedBatchNorm, kernelFunc: fusedBatchNorm },
  { kernelName: Mean, kernelFunc: mean },
];
