// Native DGC head kernels (ChanlabDgcHeads / ChanlabDgcHeadsGrad) for the wasm backend, the way the official code
// computes the heads (docs/methods/dgc.md §1.6): the h scaled copies of the input side by side [B,H,W,h·C], ONE
// grouped oneDNN convolution (groups = h) and the channel shuffle; backward: unshuffle dy, one grouped
// backward-data and one grouped backward-weights call, and one pass reducing the copies' gradient to da and dg.
// The element-wise passes are C++ (native/src/dgc.cc), parallel, in place on the wasm heap. Where oneDNN cannot take
// the geometry (or a tensor is empty) the per-head JS driver of src/kernels/wasm/DgcHeads.ts runs instead.
import { backend_util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ChanlabDgcHeads, ChanlabDgcHeadsGrad, type DgcHeadsAttrs } from '../../ops/dgc/kernel_names.js';
import { dgcHeadsDims, headConvAttrs, type DgcHeadsDims } from '../../ops/dgc/shape.js';
import { dgcHeadsWasmBackward, dgcHeadsWasmForward } from '../wasm/DgcHeads.js';
import { addon, convGeometry, type KernelArgs, nativeOk, views } from './common.js';

/** The grouped conv geometry: input h·C channels (the copies), filter [k,k,C,C'], groups h; undefined if oneDNN
 *  cannot express the padding. */
function geometry(d: DgcHeadsDims, attrs: DgcHeadsAttrs): Int32Array | undefined {
  const info = backend_util.computeConv2DInfo([d.B, d.H, d.W, d.h * d.C], [d.k, d.k, d.C, d.Co], attrs.stride, 1,
    headConvAttrs(attrs).pad);
  return convGeometry(info, d.h);
}

function dims(d: DgcHeadsDims): { expand: Int32Array; shuffle: Int32Array } {
  return {
    expand: Int32Array.of(d.B, d.H * d.W, d.C, d.h),
    shuffle: Int32Array.of(d.B * d.Ho * d.Wo, d.cph, d.h),
  };
}

function forward(args: KernelArgs): TensorInfo | TensorInfo[] {
  const b = args.backend as BackendWasm;
  const attrs = args.attrs as unknown as DgcHeadsAttrs;
  const { a, g, w } = args.inputs as { a: TensorInfo; g: TensorInfo; w: TensorInfo };
  const d = dgcHeadsDims(a.shape, g.shape, w.shape, attrs);
  const geo = geometry(d, attrs);
  if (geo === undefined || !nativeOk(a, g, w)) return dgcHeadsWasmForward(args as Parameters<KernelFunc>[0]) as TensorInfo;
  const dm = dims(d);
  const xs = b.makeOutput([d.B, d.H, d.W, d.h * d.C], 'float32');
  const yh = b.makeOutput([d.B, d.Ho, d.Wo, d.Co], 'float32');
  const y = b.makeOutput([d.B, d.Ho, d.Wo, d.Co], 'float32');
  try {
    const [av, gv, wv, xsv, yhv, yv] = views(b, a, g, w, xs, yh, y);
    const n = addon();
    n.dgcExpand(dm.expand, av!, gv!, xsv!);
    n.convForward(geo, xsv!, wv!, null, yhv!, 0, 0);
    n.dgcShuffle(dm.shuffle, yhv!, yv!, false);
  } finally {
    b.disposeData(xs.dataId);
    b.disposeData(yh.dataId);
  }
  return y;
}

function backward(args: KernelArgs): TensorInfo | TensorInfo[] {
  const b = args.backend as BackendWasm;
  const attrs = args.attrs as unknown as DgcHeadsAttrs;
  const { a, g, w, dy } = args.inputs as { a: TensorInfo; g: TensorInfo; w: TensorInfo; dy: TensorInfo };
  const d = dgcHeadsDims(a.shape, g.shape, w.shape, attrs);
  const geo = geometry(d, attrs);
  if (geo === undefined || !nativeOk(a, g, w, dy)) return dgcHeadsWasmBackward(args as Parameters<KernelFunc>[0]) as TensorInfo[];
  const dm = dims(d);
  const dyh = b.makeOutput([d.B, d.Ho, d.Wo, d.Co], 'float32');
  const xs = b.makeOutput([d.B, d.H, d.W, d.h * d.C], 'float32');
  const dxs = b.makeOutput([d.B, d.H, d.W, d.h * d.C], 'float32');
  const da = b.makeOutput([...a.shape], 'float32');
  const dg = b.makeOutput([...g.shape], 'float32');
  const dw = b.makeOutput([...w.shape], 'float32');
  try {
    const [av, gv, wv, dyv, dyhv, xsv, dxsv, dav, dgv, dwv] = views(b, a, g, w, dy, dyh, xs, dxs, da, dg, dw);
    const n = addon();
    n.dgcShuffle(dm.shuffle, dyv!, dyhv!, true);
    n.convBackwardData(geo, dyhv!, wv!, dxsv!);
    n.dgcExpand(dm.expand, av!, gv!, xsv!);
    n.convBackwardWeights(geo, xsv!, dyhv!, dwv!);
    n.dgcReduce(dm.expand, dxsv!, av!, gv!, dav!, dgv!);
  } finally {
    for (const t of [dyh, xs, dxs]) b.disposeData(t.dataId);
  }
  return [da, dg, dw];
}

export const nativeDgcKernels = [
  { kernelName: ChanlabDgcHeads, kernelFunc: forward },
  { kernelName: ChanlabDgcHeadsGrad, kernelFunc: backward },
];
