// pix(x, p, {zeta, tau, reduce}): the PiX (Pick-or-Mix) channel-sampling operator, NHWC.
//
//   x: [N,H,W,C] float32, p: [N,G] or [N,1,1,G] float32 with G = ceil(C/zeta)  ->  y: [N,H,W,G]
//   group g owns channels [g*zeta, min(g*zeta+zeta, C)); 'pick-or-mix': p < tau -> p*max, else (p*sum)/zeta.
//
// Runs the ChanlabPix kernel through engine().runKernel when the active backend has one (cpu, wasm, webgpu), so its
// registered gradient (ChanlabPixGrad) is used; otherwise the stock-op composite with customGrad (composite.ts).
import * as tf from '@tensorflow/tfjs-core';
import { countNonFinite } from '../../core/finite.js';
import {
  ChanlabPix, ChanlabPixGrad, type PixAttrs, type PixAvgDivisor, type PixReduce,
} from './kernel_names.js';
import { pixComposite } from './composite.js';
import { assertNoNaN, pixDims } from './shape.js';
import {
  validateAvgDivisor, validateP, validateReduce, validateTau, validateX, validateZeta,
} from './validate.js';

export interface PixOptions {
  /** Channel subset size (squeeze factor), a positive integer. */
  zeta: number;
  /** Fusion threshold in [0, 1]; default 0.5. */
  tau?: number;
  /** Default 'pick-or-mix'. */
  reduce?: PixReduce;
  /** Default 'zeta' (the official kernel, also for a clamped last group). */
  avgDivisor?: PixAvgDivisor;
  /**
   * Throw on NaN in p. Default: true on cpu/wasm, where the kernel scans p's N*G values in place; false on other
   * backends, where checking means a synchronous GPU->CPU read of p (set true to pay for it).
   */
  checkNaN?: boolean;
  /** 'auto' (kernel if registered for the active backend, else composite), or force one. Default 'auto'. */
  impl?: 'auto' | 'kernel' | 'composite';
}

/** Whether the active backend has both PiX kernels registered. */
export function hasPixKernel(backendName: string = tf.getBackend()): boolean {
  return tf.getKernel(ChanlabPix, backendName) !== undefined && tf.getKernel(ChanlabPixGrad, backendName) !== undefined;
}

/** Validated kernel attributes from the user options (zeta, tau, reduce, avgDivisor; checkNaN resolved). */
export function pixAttrs(opts: PixOptions, backendName: string = tf.getBackend()): PixAttrs {
  if (opts === null || typeof opts !== 'object') {
    throw new Error('pix: options must be an object {zeta, tau?, reduce?, avgDivisor?}, got ' + String(opts));
  }
  return {
    zeta: validateZeta(opts.zeta),
    tau: validateTau(opts.tau ?? 0.5),
    reduce: validateReduce(opts.reduce ?? 'pick-or-mix'),
    avgDivisor: validateAvgDivisor(opts.avgDivisor ?? 'zeta'),
    checkNaN: opts.checkNaN ?? (backendName === 'cpu' || backendName === 'wasm'),
  };
}

export function pix(x: tf.Tensor4D, p: tf.Tensor, opts: PixOptions): tf.Tensor4D {
  const backendName = tf.getBackend();
  const attrs = pixAttrs(opts, backendName);
  validateX(x);
  const d = pixDims(x.shape, attrs.zeta);
  validateP(p, d.N, d.G, d.C, attrs.zeta);
  const impl = opts.impl ?? 'auto';
  if (impl !== 'auto' && impl !== 'kernel' && impl !== 'composite') {
    throw new Error(`pix: impl must be 'auto', 'kernel' or 'composite', got ${String(impl)}`);
  }
  const kernel = hasPixKernel(backendName);
  if (impl === 'kernel' && !kernel) {
    throw new Error(`pix: impl 'kernel' requested but no ${ChanlabPix} kernel is registered for backend ` +
      `'${backendName}' (kernels exist for cpu, wasm, webgpu); use impl 'auto' or 'composite'`);
  }
  const useKernel = impl === 'kernel' || (impl === 'auto' && kernel);
  const kernelChecksNaN = useKernel && (backendName === 'cpu' || backendName === 'wasm');
  try {
    if (attrs.checkNaN && !kernelChecksNaN) assertNoNaN(p.dataSync(), d.G);
    // p goes in as given ([N,G] or [N,1,1,G]; kernels read it flat and return dp in p's shape), so the gradient needs
    // no Reshape gradient (tfjs-core alone registers none for its stock ops).
    if (useKernel) {
      return tf.engine().runKernel(ChanlabPix, { x, p }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    }
    return pixComposite(x, p, attrs);
  } catch (e) {
    throw explainBadP(e, x);
  }
}

/** A bad p computed from non-finite x (a PiX module given NaN/Inf) is reported as what it is: bad x. */
function explainBadP(e: unknown, x: tf.Tensor): unknown {
  if (!(e instanceof Error) || !e.message.startsWith('pix: p must')) return e;
  const v = x.dataSync();
  const bad = countNonFinite(v);
  if (bad === 0) return e;
  return new Error(`pix: x holds ${bad} non-finite values (NaN/Inf) of ${v.length}; expected finite activations ` +
    `(a PiX module computes p from x, so p is NaN too; a diverged model?). [${e.message}]`);
}
