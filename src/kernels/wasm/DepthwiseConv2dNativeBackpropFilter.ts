// DepthwiseConv2dNativeBackpropFilter for the wasm backend (tfjs 4.22 ships none).
// dW[kh,kw,c,m] = Σ_{b,oh,ow} x[b, oh*sh + kh*dh - pt, ow*sw + kw*dw - pl, c] · dy[b,oh,ow,c*M + m]:
//   A   = im2col of x, rows (tap, c), columns n = (b,oh,ow)   [taps, C, 1, N]   (one copy loop, chunked by taps)
//   dyT = dy channels-first                                    [C, M, N]         (C++ transpose)
//   dW  = Σ_n A ⊙ dyT                                          [taps, C, M]      (C++ multiply + innermost-axis sum)
import * as tf from '@tensorflow/tfjs-core';
import {
  backend_util, DepthwiseConv2dNativeBackpropFilter, registerKernel, type KernelConfig, type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { geometryOf, im2colRows, runComposite, tapsPerChunk, type ConvGeometry } from './conv_grad_util.js';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** x [B,H,W,C], dy [B,OH,OW,C*M] → dW [KH,KW,C,M]. Must run inside a tidy on the wasm backend. */
export function depthwiseFilterGradWasm(backend: BackendWasm, x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry,
  mult: number): tf.Tensor4D {
  const n = g.batch * g.outH * g.outW;
  const c = g.inC;
  const taps = g.kH * g.kW;
  const dyT = tf.reshape(tf.transpose(tf.reshape(dy, [n, c * mult])), [c, mult, n]);
  const step = tapsPerChunk(c * Math.max(2, mult), n, taps);
  const parts: tf.Tensor[] = [];
  for (let t0 = 0; t0 < taps; t0 += step) {
    const t1 = Math.min(taps, t0 + step);
    const cols = tf.reshape(im2colRows(backend, x, g, t0, t1), [t1 - t0, c, 1, n]);
    const prod = tf.mul(cols, dyT); // [t, C, M, N]
    cols.dispose();
    parts.push(tf.sum(prod, -1));
    prod.dispose();
  }
  const dw = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  return tf.reshape(dw, [g.kH, g.kW, c, mult]);
}

const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as {
    strides: number | [number, number]; dilations: number | [number, number]; pad: Pad;
    dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number];
  };
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides,
    a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
  const g = geometryOf(info);
  const mult = a.filterShape[3];
  if (dy.shape[1] !== g.outH || dy.shape[2] !== g.outW || dy.shape[3] !== g.outC) {
    throw new Error(`dy: expected shape [${g.batch},${g.outH},${g.outW},${g.outC}], got [${dy.shape}]`);
  }
  return runComposite(b, [x, dy], ([xt, dyt]) =>
    depthwiseFilterGradWasm(b, xt as tf.Tensor4D, dyt as tf.Tensor4D, g, mult));
};

export const depthwiseConv2dNativeBackpropFilterWasmConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter,
};

registerKernel(depthwiseConv2dNativeBackpropFilterWasmConfig);
