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

/**
 * Filters kept in the forward primitive's layout, by the filter tensor's data id (tfjs never changes the data of an
 * id, so the packed copy stays valid while the id lives; a WeakMap lets it go with it). A filter is packed on its
 * second forward with the same geometry — inference repeats filters, a training step uses each filter's data once —
 * so repeated inference skips the reorder of every filter per call.
 */
interface Packed { key: string; buf: Float32Array | null; direct: boolean }
const packedFilters = new WeakMap<object, Packed>();

/** The packed buffer for this call and whether it already holds the filter; undefined: no packing (first use, or
 *  the primitive reads the tfjs layout directly). */
function packedFor(filter: TensorInfo, geo: Int32Array, hasBias: boolean, act: number, alpha: number):
  { buf: Float32Array; valid: boolean } | undefined {
  const key = `${geo.join(',')}|${hasBias}|${act}|${alpha}`;
  const p = packedFilters.get(filter.dataId);
  if (p === undefined || p.key !== key) {
    packedFilters.set(filter.dataId, { key, buf: null, direct: false });
    return undefined;
  }
  if (p.direct) return undefined;
  if (p.buf !== null) return { buf: p.buf, valid: true };
  const n = addon().convPackedSize(geo, hasBias, act, alpha);
  if (n === 0) {
    p.direct = true;
    return undefined;
  }
  p.buf = new Float32Array(n);
  return { buf: p.buf, valid: false };
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
  const alpha = a.leakyreluAlpha ?? 0.2;
  const packed = packedFor(filter, geo, bias !== undefined, act, alpha);
  addon().convForward(geo, xv!, wv!, bv, yv!, act, alpha, packed?.buf ?? null, packed?.valid ?? false);
  return out;
}

export const nativeConvForwardKernels = [
  { kernelName: Conv2D, kernelFunc: (args: KernelArgs) => forward(Conv2D, false, args) },
  { kernelName: FusedConv2D, kernelFunc: (args: KernelArgs) => forward(FusedConv2D, false, args) },
  { kernelName: DepthwiseConv2dNative, kernelFunc: (args: KernelArgs) => forward(DepthwiseConv2dNative, true, args) },
  { kernelName: FusedDepthwiseConv2D, kernelFunc: (args: KernelArgs) => forward(FusedDepthwiseConv2D, true, args) },
];
