// Native training-mode batch norm for the wasm backend (kernels ChanlabBatchNormTrain / ChanlabBatchNormTrainGrad):
// two passes forward (statistics, normalise), two backward (dβ and dγ, then dx), the closed form of
// src/ops/batchnorm/batchnorm_train.ts. Per-channel sums are in double over fixed row blocks: thread-count independent.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ChanlabBatchNormTrain, ChanlabBatchNormTrainGrad } from '../../ops/batchnorm/kernel_names.js';
import { addon, type KernelArgs, nativeOk, views } from './common.js';

function rowsAndChannels(x: TensorInfo, gamma: TensorInfo): { m: number; c: number } {
  const c = x.shape[x.shape.length - 1]!;
  if (gamma.shape.length !== 1 || gamma.shape[0] !== c) {
    throw new Error(`gamma: expected shape [${c}], got [${gamma.shape}]`);
  }
  if (!nativeOk(x, gamma)) throw new Error(`x: expected a non-empty float32 tensor, got ${x.dtype} [${x.shape}]`);
  return { m: x.shape.reduce((a, b) => a * b, 1) / c, c };
}

function forward(args: KernelArgs): TensorInfo[] {
  const b = args.backend as BackendWasm;
  const { x, gamma, beta } = args.inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const eps = (args.attrs as unknown as { eps: number }).eps;
  if (!(eps >= 0)) throw new Error(`eps: expected a non-negative number, got ${eps}`);
  const { m, c } = rowsAndChannels(x, gamma);
  const outs = [b.makeOutput([...x.shape], 'float32'), b.makeOutput([c], 'float32'), b.makeOutput([c], 'float32'),
    b.makeOutput([c], 'float32')];
  const [xv, gv, bv, yv, mv, vv, iv] = views(b, x, gamma, beta, ...outs);
  addon().batchNormTrain(xv!, gv!, bv!, yv!, mv!, vv!, iv!, m, c, eps);
  return outs;
}

function backward(args: KernelArgs): TensorInfo[] {
  const b = args.backend as BackendWasm;
  const { dy, x, mean, invStd, gamma } = args.inputs as Record<'dy' | 'x' | 'mean' | 'invStd' | 'gamma', TensorInfo>;
  const { m, c } = rowsAndChannels(x, gamma);
  const outs = [b.makeOutput([...x.shape], 'float32'), b.makeOutput([c], 'float32'), b.makeOutput([c], 'float32')];
  const [dyv, xv, mv, iv, gv, dxv, dgv, dbv] = views(b, dy!, x!, mean!, invStd!, gamma!, ...outs);
  addon().batchNormTrainGrad(dyv!, xv!, mv!, iv!, gv!, dxv!, dgv!, dbv!, m, c);
  return outs;
}

export const nativeBatchNormKernels = [
  { kernelName: ChanlabBatchNormTrain, kernelFunc: forward },
  { kernelName: ChanlabBatchNormTrainGrad, kernelFunc: backward },
];
