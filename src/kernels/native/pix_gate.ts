// Native PiX gate (ChanlabPixGate) for the wasm backend: p = act(GAP(x)·W + b) in one call on the wasm heap — the
// spatial mean and the matrix-vector product of the Mean and 1×1 Conv2D kernels, then the activation.
import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ChanlabPixGate, type PixGateAttrs } from '../../ops/pix/kernel_names.js';
import { addon, type KernelArgs, views } from './common.js';

function gate(args: KernelArgs): TensorInfo {
  const b = args.backend as BackendWasm;
  const { x, weight, bias } = args.inputs as { x: TensorInfo; weight: TensorInfo; bias?: TensorInfo };
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const g = weight.shape[3]!;
  const act = (args.attrs as unknown as PixGateAttrs).activation === 'sigmoid' ? 0 : 1;
  const out = b.makeOutput([n, 1, 1, g], 'float32');
  const [xv, wv, pv] = views(b, x, weight, out);
  const bv = bias !== undefined && util.sizeFromShape(bias.shape) > 0 ? views(b, bias)[0]! : null;
  addon().pixGate(xv!, wv!, bv, pv!, Int32Array.of(n, h * w, c, g, act));
  return out;
}

export const nativePixGateKernels = [{ kernelName: ChanlabPixGate, kernelFunc: gate }];
