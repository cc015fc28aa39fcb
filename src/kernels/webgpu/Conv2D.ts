// chanlab's webgpu convolution kernels (conv.ts) under tfjs's kernel names (Conv2D, FusedConv2D and both gradients:
// every tf.conv2d and its training step) and chanlab's (grouped convolution with its gradients, conv + BN + act).
// Calls they do not cover go to the stock kernel they replace (installKernels' WrappingKernel): NCHW, non-float32,
// activations other than linear / ReLU, PReLU weights. Depthwise convolutions stay on tfjs's stock depthwise kernels.
import {
  Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, FusedConv2D, util, type KernelConfig, type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { WrappingKernel } from '../install.js';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ChanlabConvBnAct, type ConvBnActAttrs } from '../../ops/conv/kernel_names.js';
import {
  ChanlabGroupConv2D, ChanlabGroupConv2DBackpropFilter, ChanlabGroupConv2DBackpropInput, type GroupConvAttrs,
} from '../../ops/group_conv/kernel_names.js';
import { convDims, type ConvGeometryAttrs } from './conv_dims.js';
import { convF16, convFilterGrad, convForward, convInputGrad, type ConvEpilogue } from './conv.js';

type Args = Parameters<KernelFunc>[0];
type Result = TensorInfo | TensorInfo[];

/** A chanlab kernel in place of tfjs's stock one of the same name, which it calls for what it does not cover. */
export function replacing(kernelName: string, f: (args: Args, stock: KernelFunc) => Result): WrappingKernel {
  return {
    kernelName, backendName: 'webgpu',
    wrap: (prev) => {
      if (prev === undefined) throw new Error(`${kernelName} (webgpu): tfjs's kernel is not registered (import @tensorflow/tfjs-backend-webgpu first)`);
      return (args) => f(args, prev.kernelFunc);
    },
  };
}
type TfConvAttrs = ConvGeometryAttrs & { dataFormat?: string; activation?: string; inputShape?: number[]; filterShape?: number[] };

function floats(...ts: Array<TensorInfo | undefined>): boolean {
  return ts.every((t) => t === undefined || t.dtype === 'float32');
}

function nhwc(a: TfConvAttrs): boolean {
  return a.dataFormat === undefined || a.dataFormat === 'NHWC' || a.dataFormat === 'channelsLast';
}

function conv2d(args: Args, stock: KernelFunc): Result {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const a = args.attrs as unknown as TfConvAttrs;
  if (!nhwc(a) || !floats(x, filter)) return stock(args);
  return convForward(args.backend as unknown as WebGPUBackend, x, filter, convDims(Conv2D, x.shape, filter.shape, a), { activation: 'linear' });
}

function fusedConv2d(args: Args, stock: KernelFunc): Result {
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
  const a = args.attrs as unknown as TfConvAttrs;
  const act = a.activation ?? 'linear';
  const oc = filter!.shape[3]!;
  const biasOk = bias === undefined || util.sizeFromShape(bias.shape) === oc;
  if (!nhwc(a) || !floats(x, filter, bias) || preluActivationWeights || (act !== 'linear' && act !== 'relu') || !biasOk) {
    return stock(args);
  }
  return convForward(args.backend as unknown as WebGPUBackend, x!, filter!, convDims(FusedConv2D, x!.shape, filter!.shape, a),
    { bias, activation: act });
}

function inputGrad(name: string, args: Args, stock?: KernelFunc): Result {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = args.attrs as unknown as TfConvAttrs;
  if (stock && (!nhwc(a) || !floats(dy, filter))) return stock(args);
  const d = convDims(name, a.inputShape!, filter.shape, a);
  checkDy(name, dy, [d.N, d.OH, d.OW, d.OC]);
  return convInputGrad(args.backend as unknown as WebGPUBackend, dy, filter, d);
}

function filterGrad(name: string, args: Args, stock?: KernelFunc): Result {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const a = args.attrs as unknown as TfConvAttrs;
  if (stock && (!nhwc(a) || !floats(x, dy))) return stock(args);
  const d = convDims(name, x.shape, a.filterShape!, a);
  checkDy(name, dy, [d.N, d.OH, d.OW, d.OC]);
  return convFilterGrad(args.backend as unknown as WebGPUBackend, x, dy, d);
}

function checkDy(name: string, dy: TensorInfo, want: number[]): void {
  if (dy.shape.length !== 4 || dy.shape.some((v, i) => v !== want[i])) {
    throw new Error(`${name}: dy must have shape [${want}], got [${dy.shape}]`);
  }
}

function groupConv(args: Args): TensorInfo {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const a = args.attrs as unknown as GroupConvAttrs;
  return convForward(args.backend as unknown as WebGPUBackend, x, filter, convDims(ChanlabGroupConv2D, x.shape, filter.shape, a),
    { activation: 'linear' });
}

const PIX_MODES: Record<NonNullable<ConvBnActAttrs['pix']>['reduce'], number> = { max: 0, avg: 1, min: 2, 'w-pix': 3, 'pick-or-mix': 4 };

/** The PiX input of a ChanlabConvBnAct call: x [N,H,W,C_pix] read as G = ceil(C_pix / ζ) channels. */
function pixInput(a: ConvBnActAttrs, x: TensorInfo, p: TensorInfo | undefined): { shape: number[]; pix?: ConvEpilogue['pix'] } {
  if (!a.pix) return { shape: x.shape };
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const G = Math.ceil(C / a.pix.zeta);
  if (p === undefined || util.sizeFromShape(p.shape) !== N * G) {
    throw new Error(`${ChanlabConvBnAct}: with pix, pixP must hold N·G = ${N * G} probabilities, got [${p?.shape ?? 'none'}]`);
  }
  return {
    shape: [N, H, W, G],
    pix: { p, cPix: C, zeta: a.pix.zeta, tau: a.pix.tau, mode: PIX_MODES[a.pix.reduce], divByGroup: a.pix.avgDivisor === 'groupSize' },
  };
}

function convBnAct(args: Args): TensorInfo {
  const { x, filter, bias, mean, variance, gamma, beta, residual, pixP } = args.inputs as Record<string, TensorInfo | undefined>;
  const a = args.attrs as unknown as ConvBnActAttrs;
  const px = pixInput(a, x!, pixP);
  const d = convDims(ChanlabConvBnAct, px.shape, filter!.shape, a);
  const bnParts = [mean, variance, gamma, beta];
  if (bnParts.some((t) => t !== undefined) && bnParts.some((t) => t === undefined)) {
    throw new Error(`${ChanlabConvBnAct}: give all of mean, variance, gamma and beta, or none`);
  }
  const ep: ConvEpilogue = {
    bias, residual, activation: a.activation, pix: px.pix,
    bn: mean ? { mean, variance: variance!, gamma: gamma!, beta: beta!, eps: a.eps } : undefined,
  };
  if (residual) checkDy(`${ChanlabConvBnAct} residual`, residual, [d.N, d.OH, d.OW, d.OC]);
  const b = args.backend as unknown as WebGPUBackend;
  return convForward(b, x!, filter!, d, ep, convF16(b));
}

/** Kernels that replace tfjs's stock webgpu kernels of the same name. */
export const convReplacements: WrappingKernel[] = [
  replacing(Conv2D, conv2d),
  replacing(FusedConv2D, fusedConv2d),
  replacing(Conv2DBackpropInput, (a, stock) => inputGrad(Conv2DBackpropInput, a, stock)),
  replacing(Conv2DBackpropFilter, (a, stock) => filterGrad(Conv2DBackpropFilter, a, stock)),
];

/** chanlab-named kernels (grouped convolution and its gradients, conv + BN + act). */
export const convKernels: KernelConfig[] = [
  { kernelName: ChanlabGroupConv2D, backendName: 'webgpu', kernelFunc: groupConv },
  { kernelName: ChanlabGroupConv2DBackpropInput, backendName: 'webgpu', kernelFunc: (a) => inputGrad(ChanlabGroupConv2DBackpropInput, a) },
  { kernelName: ChanlabGroupConv2DBackpropFilter, backendName: 'webgpu', kernelFunc: (a) => filterGrad(ChanlabGroupConv2DBackpropFilter, a) },
  { kernelName: ChanlabConvBnAct, backendName: 'webgpu', kernelFunc: convBnAct },
];
