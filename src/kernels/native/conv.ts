// Native forward convolutions for the wasm backend: Conv2D, FusedConv2D (bias + activation), DepthwiseConv2dNative
// and FusedDepthwiseConv2D through oneDNN, reading x and the filter and writing y in the wasm heap.
import {
  backend_util, Conv2D, DepthwiseConv2dNative, FusedConv2D, FusedDepthwiseConv2D, type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { addon, convGeometry, fallback, type KernelArgs, nativeOk, views } from './common.js';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;
interface ConvAttrs {
  strides: number | [number, number]; pad: Pad; dataFormat?: 'NHWC' | 'NCHW'; dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil'; activation?: string; leakyreluAlpha?: number;
}

/** Activation codes of the addon's convForward; undefined for those it does not fuse (prelu). */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5 };

function forward(kernelName: string, depthwise: boolean, args: KernelArgs): TensorInfo | TensorInfo[] {
  const b = args.backend as BackendWasm;
  const { x, filter, bias } = args.inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo };
  const a = args.attrs as unknown as ConvAttrs;
  const act = ACTIVATIONS[a.activation ?? 'linear'];
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number], a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode,
    depthwise, backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC'));
  const geo = convGeometry(info, depthwise ? info.inChannels : 1);
  const biasOk = bias === undefined || (bias.shape.reduce((p, q) => p * q, 1) === info.outChannels);
  if (geo === undefined || act === undefined || !biasOk || !nativeOk(x, filter, ...(bias ? [bias] : []))) {
    return fallback(kernelName, args);
  }
  const out = b.makeOutput(info.outShape, 'float32');
  const [xv, wv, yv] = views(b, x, filter, out);
  const bv = bias !== undefined ? views(b, bias)[0]! : null;
  addon().convForward(geo, xv!, wv!, bv, yv!, act, a.leakyreluAlpha ?? 0.2);
  return out;
}

export const nativeConvForwardKernels = [
  { kernelName: Conv2D, kernelFunc: (args: KernelArgs) => forward(Conv2D, false, args) },
  { kernelName: FusedConv2D, kernelFunc: (args: KernelArgs) => forward(FusedConv2D, false, args) },
  { kernelName: DepthwiseConv2dNative, kernelFunc: (args: KernelArgs) => forward(DepthwiseConv2dNative, true, args) },
  { kernelName: FusedDepthwiseConv2D, kernelFunc: (args: KernelArgs) => forward(FusedDepthwiseConv2D, true, args) },
];
