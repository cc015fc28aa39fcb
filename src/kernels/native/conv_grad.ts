// Native convolution gradients for the wasm backend through oneDNN: Conv2DBackpropInput, Conv2DBackpropFilter and
// their depthwise variants, in place on the wasm heap.
import {
  backend_util, Conv2DBackpropFilter, Conv2DBackpropInput, DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput, type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { addon, convGeometry, fallback, type KernelArgs, nativeOk, views } from './common.js';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];
interface GradAttrs {
  strides: number | [number, number]; pad: Pad; dataFormat?: 'NHWC' | 'NCHW'; dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape?: Shape4; filterShape?: Shape4;
}

function infoOf(a: GradAttrs, xShape: Shape4, wShape: Shape4, depthwise: boolean): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(xShape, wShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode,
    depthwise, backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC'));
}

function sameShape(t: TensorInfo, shape: number[], name: string): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${name}: expected shape [${shape}], got [${t.shape}]`);
  }
}

function inputGrad(kernelName: string, depthwise: boolean, args: KernelArgs): TensorInfo | TensorInfo[] {
  const b = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = args.attrs as unknown as GradAttrs;
  if (a.inputShape === undefined) throw new Error(`${kernelName}: attribute inputShape is required`);
  const info = infoOf(a, a.inputShape, filter.shape as Shape4, depthwise);
  const geo = convGeometry(info, depthwise ? info.inChannels : 1);
  if (geo === undefined || !nativeOk(dy, filter)) return fallback(kernelName, args);
  sameShape(dy, info.outShape, 'dy');
  const out = b.makeOutput([...a.inputShape], 'float32');
  const [dyv, wv, dxv] = views(b, dy, filter, out);
  addon().convBackwardData(geo, dyv!, wv!, dxv!);
  return out;
}

function filterGrad(kernelName: string, depthwise: boolean, args: KernelArgs): TensorInfo | TensorInfo[] {
  const b = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const a = args.attrs as unknown as GradAttrs;
  if (a.filterShape === undefined) throw new Error(`${kernelName}: attribute filterShape is required`);
  const info = infoOf(a, x.shape as Shape4, a.filterShape, depthwise);
  const geo = convGeometry(info, depthwise ? info.inChannels : 1);
  if (geo === undefined || !nativeOk(x, dy)) return fallback(kernelName, args);
  sameShape(dy, info.outShape, 'dy');
  const out = b.makeOutput([...a.filterShape], 'float32');
  const [xv, dyv, dwv] = views(b, x, dy, out);
  addon().convBackwardWeights(geo, xv!, dyv!, dwv!);
  return out;
}

export const nativeConvGradKernels = [
  { kernelName: Conv2DBackpropInput, kernelFunc: (args: KernelArgs) => inputGrad(Conv2DBackpropInput, false, args) },
  { kernelName: Conv2DBackpropFilter, kernelFunc: (args: KernelArgs) => filterGrad(Conv2DBackpropFilter, false, args) },
  {
    kernelName: DepthwiseConv2dNativeBackpropInput,
    kernelFunc: (args: KernelArgs) => inputGrad(DepthwiseConv2dNativeBackpropInput, true, args),
  },
  {
    kernelName: DepthwiseConv2dNativeBackpropFilter,
    kernelFunc: (args: KernelArgs) => filterGrad(DepthwiseConv2dNativeBackpropFilter, true, args),
  },
];
