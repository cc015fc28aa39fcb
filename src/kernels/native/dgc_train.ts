// Native kept-channel training kernels of a DGC layer (ChanlabDgcTrain / ...Grad, docs/methods/dgc.md §8.3) for the
// wasm backend (native/src/dgc_kept.cc): forward the spatial mean, the saliency MLPs, the gate per (head, sample) and
// an indirect convolution over the kept channels; backward the filter gradient per (head, output chunk) summed over
// samples in order, the input and saliency gradients per sample, the MLPs' gradients per head, and the mean's.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ChanlabDgcTrain, ChanlabDgcTrainGrad, type DgcTrainAttrs } from '../../ops/dgc/kernel_names.js';
import { addon, type KernelArgs, views } from './common.js';

type Inputs = Record<'a' | 'w1' | 'w2' | 'b2' | 'w', TensorInfo>;

/** dims B, H, W, C, C', heads, k, stride, pad, Ho, Wo, d, kDrop and the output shape. */
function dims(t: Inputs, at: DgcTrainAttrs): { dims: Int32Array; out: number[] } {
  const [B, H, W, C] = t.a.shape as [number, number, number, number];
  const [k, , , Co] = t.w.shape as [number, number, number, number];
  const Ho = Math.floor((H + 2 * at.padding - k) / at.stride) + 1, Wo = Math.floor((W + 2 * at.padding - k) / at.stride) + 1;
  return { dims: Int32Array.of(B, H, W, C, Co, at.heads, k, at.stride, at.padding, Ho, Wo, t.w1.shape[1]!, at.inactive), out: [B, Ho, Wo, Co] };
}

function forward(args: KernelArgs): TensorInfo[] {
  const b = args.backend as BackendWasm;
  const t = args.inputs as Inputs;
  const d = dims(t, args.attrs as unknown as DgcTrainAttrs);
  const [B, , , C] = t.a.shape as [number, number, number, number];
  const y = b.makeOutput(d.out, 'float32');
  const g = b.makeOutput([t.b2.shape[0]!, B, C], 'float32');
  const z = b.makeOutput([B, C], 'float32');
  const [av, w1, w2, b2, wv, gv, zv, yv] = views(b, t.a, t.w1, t.w2, t.b2, t.w, g, z, y);
  addon().dgcTrainForward(d.dims, av!, w1!, w2!, b2!, wv!, gv!, zv!, yv!);
  return [y, g, z];
}

function backward(args: KernelArgs): TensorInfo[] {
  const b = args.backend as BackendWasm;
  const t = args.inputs as Inputs & Record<'g' | 'z' | 'dy' | 'dg', TensorInfo>;
  const d = dims(t, args.attrs as unknown as DgcTrainAttrs);
  const outs = [t.a, t.w1, t.w2, t.b2, t.w].map((x) => b.makeOutput([...x.shape], 'float32'));
  const [av, w1, w2, b2, wv, gv, zv, dyv, dgv, da, dw1, dw2, db2, dw] = views(b, t.a, t.w1, t.w2, t.b2, t.w, t.g, t.z, t.dy, t.dg, ...outs);
  addon().dgcTrainBackward(d.dims, av!, w1!, w2!, b2!, wv!, gv!, zv!, dyv!, dgv!, da!, dw1!, dw2!, db2!, dw!);
  return outs;
}

export const nativeDgcTrainKernels = [
  { kernelName: ChanlabDgcTrain, kernelFunc: forward },
  { kernelName: ChanlabDgcTrainGrad, kernelFunc: backward },
];
