// Native Concat for the wasm backend (float32): each input copied as rows of its inner size into the output at its
// column offset, one C++ call per input (native/src/concat.cc). The wasm backend's own Concat loops over rows in
// JavaScript with a typed-array view per row and input, which dominated a DenseNet's channel concatenations. Other
// dtypes fall back to it.
import { backend_util, Concat, util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { addon, fallback, type KernelArgs, views } from './common.js';

function concat(args: KernelArgs): TensorInfo | TensorInfo[] {
  const b = args.backend as BackendWasm;
  const inputs = args.inputs as unknown as TensorInfo[];
  const all = Object.values(inputs as unknown as Record<string, TensorInfo>);
  if (all.length === 0 || all.some((t) => t.dtype !== 'float32')) return fallback(Concat, args);
  const axis = util.parseAxisParam((args.attrs as unknown as { axis: number | number[] }).axis, all[0]!.shape)[0]!;
  backend_util.assertParamsConsistent(all.map((t) => t.shape), axis);
  const outShape = backend_util.computeOutShape(all.map((t) => t.shape), axis);
  const parts = all.filter((t) => util.sizeFromShape(t.shape) > 0);
  if (parts.length <= 1 || util.sizeFromShape(outShape) === 0) return fallback(Concat, args);
  const rows = util.sizeFromShape(outShape.slice(0, axis));
  const dstCols = util.sizeFromShape(outShape.slice(axis));
  const out = b.makeOutput(outShape, 'float32');
  const [dst, ...srcs] = views(b, out, ...parts);
  let offset = 0;
  parts.forEach((t, i) => {
    const cols = util.sizeFromShape(t.shape.slice(axis));
    addon().copyColumns(Int32Array.of(rows, cols, cols, 0, dstCols, offset), srcs[i]!, dst!);
    offset += cols;
  });
  return out;
}

export const nativeConcatKernels = [{ kernelName: Concat, kernelFunc: concat }];
