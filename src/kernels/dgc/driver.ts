// The DGC head kernels (ChanlabDgcHeads / ChanlabDgcHeadsGrad) as one driver for every backend: per head, the
// backend's own Conv2D / Conv2DBackpropInput / Conv2DBackpropFilter kernels on a·g_i, with the element-wise parts
// (scale by g_i, interleave the heads, pick one head of dy, reduce da and dg) fused into one pass each by the
// backend's `DgcElementwise`. Intermediates never reach the engine (no tape, no tidy): they are freed here.
// Compared with the stock-op composite this removes the broadcast multiply and its gradient (a reduction per head),
// the addN of the h input gradients, and the stack + transpose of the interleave and their gradients.
import {
  Concat, Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, getKernel, Slice,
  type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { ChanlabDgcHeads, ChanlabDgcHeadsGrad, type DgcHeadsAttrs } from '../../ops/dgc/kernel_names.js';
import { dgcHeadsDims, headConvAttrs, type DgcHeadsDims } from '../../ops/dgc/shape.js';

/** Gradient accumulators the element-wise reduction fills head by head (it owns and may replace them). */
export interface DgcGradAcc {
  da: TensorInfo | null;
  /** per-head dg rows [1,B,C] (webgpu) or the whole [h,B,C] (cpu, wasm) */
  dg: TensorInfo[];
}

/** The fused element-wise passes one backend provides. */
export interface DgcElementwise {
  backendName: string;
  backend: unknown;
  dispose(t: TensorInfo): void;
  /** a·g_i: [B,H,W,C] */
  scaleHead(a: TensorInfo, g: TensorInfo, i: number, d: DgcHeadsDims): TensorInfo;
  /** h head outputs [B,Ho,Wo,C'/h] → [B,Ho,Wo,C'], channel j·h + i */
  interleave(ys: TensorInfo[], d: DgcHeadsDims): TensorInfo;
  /** head i's channels of dy [B,Ho,Wo,C'] → [B,Ho,Wo,C'/h] */
  takeHead(dy: TensorInfo, i: number, d: DgcHeadsDims): TensorInfo;
  /** da += g_i·dx_i; dg[i,b,c] = Σ_HW dx_i·a (dx_i: the input gradient of head i's conv) */
  reduceHead(dxi: TensorInfo, a: TensorInfo, g: TensorInfo, i: number, d: DgcHeadsDims, acc: DgcGradAcc): void;
  /** the finished [h,B,C] dg from the accumulator, which it empties */
  finishDg(acc: DgcGradAcc, d: DgcHeadsDims): TensorInfo;
}

function run(e: DgcElementwise, name: string, inputs: NamedTensorInfoMap, attrs: object): TensorInfo {
  const k = getKernel(name, e.backendName);
  if (k === undefined) throw new Error(`dgcHeads: backend '${e.backendName}' has no ${name} kernel`);
  return (k.kernelFunc as KernelFunc)({ inputs, backend: e.backend as never, attrs: attrs as NamedAttrMap }) as TensorInfo;
}

/** Head i's kernel [k,k,C,C'/h] (w itself for one head). */
function headFilter(e: DgcElementwise, w: TensorInfo, i: number, d: DgcHeadsDims): TensorInfo {
  if (d.h === 1) return w;
  return run(e, Slice, { x: w }, { begin: [0, 0, 0, i * d.cph], size: [d.k, d.k, d.C, d.cph] });
}

function disposeFilter(e: DgcElementwise, wi: TensorInfo, w: TensorInfo): void {
  if (wi !== w) e.dispose(wi);
}

export function dgcHeadsForward(e: DgcElementwise, inputs: NamedTensorInfoMap, attrs: DgcHeadsAttrs): TensorInfo {
  const { a, g, w } = inputs as { a: TensorInfo; g: TensorInfo; w: TensorInfo };
  const d = dgcHeadsDims(a.shape, g.shape, w.shape, attrs);
  const conv = headConvAttrs(attrs);
  const ys: TensorInfo[] = [];
  try {
    for (let i = 0; i < d.h; i++) {
      const xs = e.scaleHead(a, g, i, d);
      const wi = headFilter(e, w, i, d);
      ys.push(run(e, Conv2D, { x: xs, filter: wi }, conv));
      e.dispose(xs);
      disposeFilter(e, wi, w);
    }
    return e.interleave(ys, d);
  } finally {
    ys.forEach((t) => e.dispose(t));
  }
}

export function dgcHeadsBackward(e: DgcElementwise, inputs: NamedTensorInfoMap, attrs: DgcHeadsAttrs): TensorInfo[] {
  const { a, g, w, dy } = inputs as { a: TensorInfo; g: TensorInfo; w: TensorInfo; dy: TensorInfo };
  const d = dgcHeadsDims(a.shape, g.shape, w.shape, attrs);
  const conv = headConvAttrs(attrs);
  const acc: DgcGradAcc = { da: null, dg: [] };
  const dws: TensorInfo[] = [];
  try {
    for (let i = 0; i < d.h; i++) {
      const dyi = e.takeHead(dy, i, d);
      const wi = headFilter(e, w, i, d);
      const dxi = run(e, Conv2DBackpropInput, { dy: dyi, filter: wi }, { ...conv, inputShape: [d.B, d.H, d.W, d.C] });
      disposeFilter(e, wi, w);
      const xs = e.scaleHead(a, g, i, d);
      dws.push(run(e, Conv2DBackpropFilter, { x: xs, dy: dyi }, { ...conv, filterShape: [d.k, d.k, d.C, d.cph] }));
      e.dispose(xs);
      e.dispose(dyi);
      e.reduceHead(dxi, a, g, i, d, acc);
      e.dispose(dxi);
    }
    const dw = d.h === 1 ? dws.pop()! : run(e, Concat, dws as unknown as NamedTensorInfoMap, { axis: 3 });
    const dg = e.finishDg(acc, d);
    const da = acc.da!;
    acc.da = null;
    return [da, dg, dw];
  } finally {
    dws.forEach((t) => e.dispose(t));
    if (acc.da) e.dispose(acc.da);
    acc.dg.forEach((t) => e.dispose(t));
  }
}

/** One backend's ChanlabDgcHeads and ChanlabDgcHeadsGrad kernel configs: the driver on its element-wise passes. */
export function dgcHeadsKernelConfigs(backendName: string, elementwise: (backend: unknown) => DgcElementwise): { forward: KernelConfig; backward: KernelConfig } {
  const forward: KernelFunc = ({ inputs, backend, attrs }) =>
    dgcHeadsForward(elementwise(backend), inputs, attrs as unknown as DgcHeadsAttrs);
  const backward: KernelFunc = ({ inputs, backend, attrs }) =>
    dgcHeadsBackward(elementwise(backend), inputs, attrs as unknown as DgcHeadsAttrs);
  return {
    forward: { kernelName: ChanlabDgcHeads, backendName, kernelFunc: forward },
    backward: { kernelName: ChanlabDgcHeadsGrad, backendName, kernelFunc: backward },
  };
}
