// Native grouped convolution for the wasm backend (ChanlabGroupConv2D and its two gradients) through oneDNN's
// grouped primitives: one call instead of a split, G convolutions and a concat.
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  ChanlabGroupConv2D, ChanlabGroupConv2DBackpropFilter, ChanlabGroupConv2DBackpropInput, type GroupConvAttrs,
} from '../../ops/group_conv/kernel_names.js';
import { addon, convGeometry, type KernelArgs, nativeOk, views } from './common.js';

type Shape4 = [number, number, number, number];

/** Geometry of a grouped conv (the filter as tfjs's [KH, KW, IC/G, OC]; its third axis is not checked by tfjs). */
function geometry(kernelName: string, xShape: Shape4, wShape: Shape4, a: GroupConvAttrs): { info: backend_util.Conv2DInfo; geo: Int32Array } {
  const g = a.groups;
  if (!Number.isInteger(g) || g < 1 || xShape[3] % g !== 0 || wShape[3] % g !== 0 || wShape[2] * g !== xShape[3]) {
    throw new Error(`${kernelName}: groups must divide the in (${xShape[3]}) and out (${wShape[3]}) channels with ` +
      `filter in-channels = in / groups (${wShape[2]}), got ${g}`);
  }
  const info = backend_util.computeConv2DInfo(xShape, wShape, a.strides, a.dilations, a.pad);
  const geo = convGeometry(info, g);
  if (geo === undefined) throw new Error(`${kernelName}: padding ${JSON.stringify(a.pad)} is not expressible for oneDNN`);
  return { info, geo };
}

function check(kernelName: string, ...ts: TensorInfo[]): void {
  if (!nativeOk(...ts)) throw new Error(`${kernelName}: expected non-empty float32 tensors`);
}

function forward(args: KernelArgs): TensorInfo {
  const b = args.backend as BackendWasm;
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  check(ChanlabGroupConv2D, x, filter);
  const { info, geo } = geometry(ChanlabGroupConv2D, x.shape as Shape4, filter.shape as Shape4, args.attrs as unknown as GroupConvAttrs);
  const out = b.makeOutput(info.outShape, 'float32');
  const [xv, wv, yv] = views(b, x, filter, out);
  addon().convForward(geo, xv!, wv!, null, yv!, 0, 0);
  return out;
}

function inputGrad(args: KernelArgs): TensorInfo {
  const b = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = args.attrs as unknown as GroupConvAttrs & { inputShape: Shape4 };
  check(ChanlabGroupConv2DBackpropInput, dy, filter);
  const { info, geo } = geometry(ChanlabGroupConv2DBackpropInput, a.inputShape, filter.shape as Shape4, a);
  if (info.outShape.some((d, i) => d !== dy.shape[i])) throw new Error(`${ChanlabGroupConv2DBackpropInput}: dy must have shape [${info.outShape}], got [${dy.shape}]`);
  const out = b.makeOutput([...a.inputShape], 'float32');
  const [dyv, wv, dxv] = views(b, dy, filter, out);
  addon().convBackwardData(geo, dyv!, wv!, dxv!);
  return out;
}

function filterGrad(args: KernelArgs): TensorInfo {
  const b = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const a = args.attrs as unknown as GroupConvAttrs & { filterShape: Shape4 };
  check(ChanlabGroupConv2DBackpropFilter, x, dy);
  const { info, geo } = geometry(ChanlabGroupConv2DBackpropFilter, x.shape as Shape4, a.filterShape, a);
  if (info.outShape.some((d, i) => d !== dy.shape[i])) throw new Error(`${ChanlabGroupConv2DBackpropFilter}: dy must have shape [${info.outShape}], got [${dy.shape}]`);
  const out = b.makeOutput([...a.filterShape], 'float32');
  const [xv, dyv, dwv] = views(b, x, dy, out);
  addon().convBackwardWeights(geo, xv!, dyv!, dwv!);
  return out;
}

export const nativeGroupConvKernels = [
  { kernelName: ChanlabGroupConv2D, kernelFunc: forward },
  { kernelName: ChanlabGroupConv2DBackpropInput, kernelFunc: inputGrad },
  { kernelName: ChanlabGroupConv2DBackpropFilter, kernelFunc: filterGrad },
];
