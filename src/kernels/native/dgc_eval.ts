// Native kept-channel eval kernel of a DGC layer (ChanlabDgcEval, docs/methods/dgc.md §8.3) for the wasm backend:
// one call (native/src/dgc_kept.cc) does BN → ReLU → spatial mean → saliency MLPs → gate → the heads over the kept
// channels only (an indirect convolution per sample and head), writing y interleaved and the gated saliencies.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ChanlabDgcEval, type DgcEvalAttrs } from '../../ops/dgc/kernel_names.js';
import { addon, type KernelArgs, views } from './common.js';

const INPUTS = ['x', 'mean', 'variance', 'gamma', 'beta', 'w1', 'w2', 'b2', 'w'] as const;

function evalKernel(args: KernelArgs): TensorInfo[] {
  const b = args.backend as BackendWasm;
  const attrs = args.attrs as unknown as DgcEvalAttrs;
  const ins = args.inputs as Record<(typeof INPUTS)[number], TensorInfo>;
  const [B, H, W, C] = ins.x.shape as [number, number, number, number];
  const [k, , , Co] = ins.w.shape as [number, number, number, number];
  const Ho = Math.floor((H + 2 * attrs.padding - k) / attrs.stride) + 1, Wo = Math.floor((W + 2 * attrs.padding - k) / attrs.stride) + 1;
  const y = b.makeOutput([B, Ho, Wo, Co], 'float32');
  const gated = b.makeOutput([attrs.heads, B, C], 'float32');
  const [x, mean, variance, gamma, beta, w1, w2, b2, w, yv, gv] = views(b, ...INPUTS.map((n) => ins[n]), y, gated);
  const dims = Int32Array.of(B, H, W, C, Co, attrs.heads, k, attrs.stride, attrs.padding, Ho, Wo, ins.w1.shape[1]!, attrs.inactive);
  addon().dgcKeptForward(dims, x!, mean!, variance!, gamma!, beta!, attrs.epsilon, w1!, w2!, b2!, w!, gv!, yv!);
  return [y, gated];
}

export const nativeDgcEvalKernels = [{ kernelName: ChanlabDgcEval, kernelFunc: evalKernel }];
