// DepthwiseConv2dNativeBackpropInput for the wasm backend (tfjs 4.22 ships none).
// dx[b,h,w,c] = Σ_{kh,kw,m} dy[b,oh,ow,c*M + m] · W[kh,kw,c,m] over the (oh,ow) that read (h,w): stride-1 XNNPACK
// depthwise convolutions of dy (C*M channels, multiplier 1) with the flipped filter, one per stride phase of the
// output (`transposedConvByPhases`), then a sum over the M products of each input channel.
import * as tf from '@tensorflow/tfjs-core';
import {
  backend_util, DepthwiseConv2dNativeBackpropInput, type KernelConfig, type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gatherTaps, geometryOf, runComposite, transposedConvByPhases, type ConvGeometry } from './conv_grad_util.js';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** dy [B,OH,OW,C*M], w [KH,KW,C,M] → dx [B,H,W,C]. Must run inside a tidy on the wasm backend. */
export function depthwiseInputGradWasm(backend: BackendWasm, dy: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [kh, kw, c, mult] = w.shape;
  const wFlat = tf.reshape(w, [kh, kw, c * mult, 1]) as tf.Tensor4D;
  const dxm = transposedConvByPhases(backend, dy, g, c * mult, (dyP, ph, pw) =>
    tf.depthwiseConv2d(dyP, gatherTaps(wFlat, ph.taps, pw.taps), 1, 'valid', 'NHWC', [ph.dilation, pw.dilation]));
  if (mult === 1) return dxm;
  const [b, h, wd] = dxm.shape;
  return tf.sum(tf.reshape(dxm, [b, h, wd, c, mult]), -1) as tf.Tensor4D;
}

const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as {
    strides: number | [number, number]; dilations: number | [number, number]; pad: Pad;
    dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number];
  };
  const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number],
    a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
  const g = geometryOf(info);
  if (dy.shape[1] !== g.outH || dy.shape[2] !== g.outW || dy.shape[3] !== g.outC) {
    throw new Error(`dy: expected shape [${g.batch},${g.outH},${g.outW},${g.outC}], got [${dy.shape}]`);
  }
  return runComposite(b, [dy, filter], ([dyt, w]) => depthwiseInputGradWasm(b, dyt as tf.Tensor4D, w as tf.Tensor4D, g));
};

export const depthwiseConv2dNativeBackpropInputWasmConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput,
};
