// Native 2-D pooling for the wasm backend: MaxPool, MaxPoolGrad, AvgPool, AvgPoolGrad with the semantics of tfjs's
// cpu kernels (first maximum of a window takes its gradient; avg divides by in-bounds taps, its gradient by the
// window size), one OpenMP pass over NHWC data in the wasm heap.
import { AvgPool, AvgPoolGrad, backend_util, MaxPool, MaxPoolGrad, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { addon, fallback, type KernelArgs, nativeOk, poolGeometry, views } from './common.js';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;
interface PoolAttrs {
  filterSize: number | [number, number]; strides: number | [number, number]; pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function infoOf(x: TensorInfo, a: PoolAttrs): backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(x.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad,
    a.dimRoundingMode);
}

function pool(kernelName: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const b = args.backend as BackendWasm;
  const { x } = args.inputs as { x: TensorInfo };
  if (!nativeOk(x)) return fallback(kernelName, args);
  const info = infoOf(x, args.attrs as unknown as PoolAttrs);
  const out = b.makeOutput(info.outShape, 'float32');
  const [xv, yv] = views(b, x, out);
  const f = kernelName === MaxPool ? addon().maxPool : addon().avgPool;
  f(poolGeometry(info), xv!, yv!);
  return out;
}

function poolGrad(kernelName: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const b = args.backend as BackendWasm;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  if (!nativeOk(dy, input)) return fallback(kernelName, args);
  const info = infoOf(input, args.attrs as unknown as PoolAttrs);
  if (dy.shape.some((d, i) => d !== info.outShape[i])) {
    throw new Error(`dy: expected shape [${info.outShape}], got [${dy.shape}]`);
  }
  const out = b.makeOutput([...input.shape], 'float32');
  const [xv, dyv, dxv] = views(b, input, dy, out);
  if (kernelName === MaxPoolGrad) addon().maxPoolGrad(poolGeometry(info), xv!, dyv!, dxv!);
  else addon().avgPoolGrad(poolGeometry(info), dyv!, dxv!);
  return out;
}

export const nativePoolKernels = [
  { kernelName: MaxPool, kernelFunc: (args: KernelArgs) => pool(MaxPool, args) },
  { kernelName: AvgPool, kernelFunc: (args: KernelArgs) => pool(AvgPool, args) },
  { kernelName: MaxPoolGrad, kernelFunc: (args: KernelArgs) => poolGrad(MaxPoolGrad, args) },
  { kernelName: AvgPoolGrad, kernelFunc: (args: KernelArgs) => poolGrad(AvgPoolGrad, args) },
];
