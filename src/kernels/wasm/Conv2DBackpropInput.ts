// Conv2DBackpropInput for the wasm backend, replacing tfjs 4.22's own wasm kernel (a scalar C++ loop, ~2 GFLOP/s,
// ~15× slower than the forward conv). The input gradient is computed as stride-1 XNNPACK forward convolutions of dy
// with the flipped, channel-transposed filter: one per stride phase of the output (`transposedConvByPhases`), so a
// stride-2 conv costs four small convs rather than one over a zero-dilated dy. Accepts an optional `dilations`
// attribute (default 1).
import * as tf from '@tensorflow/tfjs-core';
import {
  backend_util, Conv2DBackpropInput, type KernelConfig, type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gatherTaps, geometryOf, runComposite, transposedConvByPhases, type ConvGeometry } from './conv_grad_util.js';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** dy [B,OH,OW,Co], w [KH,KW,Ci,Co] → dx [B,H,W,Ci]. Must run inside a tidy on the wasm backend. */
export function conv2dInputGradWasm(backend: BackendWasm, dy: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const wT = tf.transpose(w, [0, 1, 3, 2]); // [KH,KW,Co,Ci]
  return transposedConvByPhases(backend, dy, g, g.inC, (dyP, ph, pw) =>
    tf.conv2d(dyP, gatherTaps(wT, ph.taps, pw.taps), 1, 'valid', 'NHWC', [ph.dilation, pw.dilation]));
}

const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as {
    strides: number | [number, number]; pad: Pad; dataFormat?: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number];
    dilations?: number | [number, number];
  };
  const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number],
    a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC'));
  const g = geometryOf(info);
  if (dy.shape[1] !== g.outH || dy.shape[2] !== g.outW || dy.shape[3] !== g.outC) {
    throw new Error(`dy: expected shape [${g.batch},${g.outH},${g.outW},${g.outC}], got [${dy.shape}]`);
  }
  return runComposite(b, [dy, filter], ([dyt, w]) => conv2dInputGradWasm(b, dyt as tf.Tensor4D, w as tf.Tensor4D, g));
};

export const conv2DBackpropInputWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput,
};

// Replace tfjs's slow kernel without the "already registered" warning.
