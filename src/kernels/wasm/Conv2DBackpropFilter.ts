// Conv2DBackpropFilter for the wasm backend (tfjs 4.22 ships none). dW[kh,kw,ci,co] = Σ_{b,oh,ow}
// x[b, oh*sh + kh*dh - pt, ow*sw + kw*dw - pl, ci] · dy[b,oh,ow,co], computed as im2col + XNNPACK matmul:
//   A  = im2col of x, rows (tap, ci), columns (b,oh,ow)     [taps·Ci, B·OH·OW]   (one copy loop)
//   dW = A · dy                                             [taps·Ci, Co] = [KH,KW,Ci,Co] (XNNPACK fully-connected)
// A is built and consumed in chunks of whole images (~4 MB, summed with addN): the full matrix is 9× the input and
// streaming it through memory cost more than the matmul (measured: chunked ≈ forward-conv time, whole ≈ 1.3-2×).
// Chosen by measurement over (a) a forward conv over transposed tensors (batch as channels: ~0.6× the forward-conv
// rate, far worse for stride 2) and (b) a flat-shift im2col over stride phases (needs C++ transposes that are slow
// for rank > 4). Accepts an optional `dilations` attribute (tfjs's own kernel has none; default 1).
import * as tf from '@tensorflow/tfjs-core';
import {
  backend_util, Conv2DBackpropFilter, type KernelConfig, type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { chunkPlan, copyRows, geometryOf, im2colRows, runComposite, type ConvGeometry } from './conv_grad_util.js';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/**
 * a [M,K] · b [K,N] as a 1×1 XNNPACK convolution (M pixels, K → N channels): the same GEMM as tfjs's BatchMatMul at
 * one thread, but run on the backend's pthreadpool when threads are enabled (BatchMatMul passes no thread pool).
 */
export function matMulAsConv(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const y = tf.conv2d(tf.reshape(a, [1, 1, m, k]) as tf.Tensor4D, tf.reshape(b, [1, 1, k, n]) as tf.Tensor4D, 1, 'valid');
  return tf.reshape(y, [m, n]);
}

/** x [B,H,W,Ci], dy [B,OH,OW,Co] → dW [KH,KW,Ci,Co]. Must run inside a tidy on the wasm backend. */
export function conv2dFilterGradWasm(backend: BackendWasm, x: tf.Tensor4D, dy: tf.Tensor4D,
  g: ConvGeometry): tf.Tensor4D {
  const per = g.outH * g.outW;
  const taps = g.kH * g.kW;
  const dy2 = tf.reshape(dy, [g.batch * per, g.outC]) as tf.Tensor2D;
  const plan = chunkPlan(g.inC, per, taps, g.batch);
  const dyChunks = plan.batchStarts.length === 1 ? [dy2]
    : plan.batchStarts.map((b0, i) => copyRows(backend, dy2, b0 * per, (plan.batchStarts[i + 1] ?? g.batch) * per));
  const rows: tf.Tensor2D[] = [];
  for (let t0 = 0; t0 < taps; t0 += plan.taps) {
    const t1 = Math.min(taps, t0 + plan.taps);
    const partial: tf.Tensor2D[] = [];
    plan.batchStarts.forEach((b0, i) => {
      const cols = im2colRows(backend, x, g, t0, t1, b0, plan.batchStarts[i + 1] ?? g.batch);
      partial.push(matMulAsConv(cols, dyChunks[i]!));
      cols.dispose(); // keep the im2col chunk cache-sized and freed before the next one
    });
    rows.push(partial.length === 1 ? partial[0]! : tf.addN(partial));
  }
  const dw = rows.length === 1 ? rows[0]! : tf.concat(rows, 0);
  return tf.reshape(dw, [g.kH, g.kW, g.inC, g.outC]);
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as {
    strides: number | [number, number]; pad: Pad; dataFormat?: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number];
    dilations?: number | [number, number];
  };
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides,
    a.dilations ?? 1, a.pad, a.dimRoundingMode, false, backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC'));
  const g = geometryOf(info);
  if (dy.shape[1] !== g.outH || dy.shape[2] !== g.outW || dy.shape[3] !== g.outC) {
    throw new Error(`dy: expected shape [${g.batch},${g.outH},${g.outW},${g.outC}], got [${dy.shape}]`);
  }
  return runComposite(b, [x, dy], ([xt, dyt]) => conv2dFilterGradWasm(b, xt as tf.Tensor4D, dyt as tf.Tensor4D, g));
};

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
