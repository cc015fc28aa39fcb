// Shared pieces of the native (oneDNN / C++) kernels for the wasm backend: heap views, conv/pool geometry in the
// addon's layout, and the fallback to the wasm kernel a native one replaced.
import {
  backend_util, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeAddon, type NativeAddon } from './addon.js';

export type KernelArgs = { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap };

/** The wasm kernels the native ones replaced, by kernel name (set by the registry in ./index.ts). */
export const replaced = new Map<string, KernelConfig>();

const setUp = new WeakMap<object, Set<string>>();

/** Runs a wasm kernel's setupFunc (its cwrap of the C++ entry point) once per backend instance: the engine only
 *  does so for kernels registered when the backend starts, and a replaced one was not. */
export function ensureSetUp(k: KernelConfig, backend: object): void {
  if (k.setupFunc === undefined) return;
  let done = setUp.get(backend);
  if (done === undefined) setUp.set(backend, (done = new Set()));
  if (done.has(k.kernelName)) return;
  k.setupFunc(backend as Parameters<NonNullable<KernelConfig['setupFunc']>>[0]);
  done.add(k.kernelName);
}

/** Runs the replaced wasm kernel (for cases the native one does not cover: NCHW, prelu, empty tensors, ...). */
export function fallback(kernelName: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const k = replaced.get(kernelName);
  if (k === undefined) throw new Error(`${kernelName}: no wasm kernel to fall back to`);
  ensureSetUp(k, args.backend as object);
  return (k.kernelFunc as KernelFunc)(args as Parameters<KernelFunc>[0]);
}

export function addon(): NativeAddon {
  const a = nativeAddon();
  if (a === undefined) throw new Error('chanlab native addon is not loaded');
  return a;
}

/** Float32 views of tensors in the wasm heap; call after every makeOutput (heap growth detaches older views). */
export function views(b: BackendWasm, ...ts: TensorInfo[]): Float32Array[] {
  return ts.map((t) => b.typedArrayFromHeap(t) as Float32Array);
}

function sizeOf(t: TensorInfo): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

/** True when every tensor is float32 and non-empty (the native kernels' domain). */
export function nativeOk(...ts: TensorInfo[]): boolean {
  return ts.every((t) => t.dtype === 'float32' && sizeOf(t) > 0);
}

/** oneDNN wants outH = (H + top + bottom − effK) / s + 1 exactly: the bottom/right pads that satisfy it for tfjs's
 *  output size (≥ 0), or undefined when none does. */
function farPad(size: number, out: number, effK: number, stride: number, near: number): number | undefined {
  const far = Math.max(0, (out - 1) * stride + effK - size - near);
  return Math.floor((size + near + far - effK) / stride) + 1 === out && near >= 0 ? far : undefined;
}

/** The addon's conv geometry (18 ints) for a tfjs Conv2DInfo and group count, or undefined if oneDNN cannot
 *  express it (NCHW, or padding it rejects). */
export function convGeometry(info: backend_util.Conv2DInfo, groups: number): Int32Array | undefined {
  if (info.dataFormat !== 'channelsLast') return undefined;
  const p = info.padInfo;
  const pb = farPad(info.inHeight, info.outHeight, info.effectiveFilterHeight, info.strideHeight, p.top);
  const pr = farPad(info.inWidth, info.outWidth, info.effectiveFilterWidth, info.strideWidth, p.left);
  if (pb === undefined || pr === undefined) return undefined;
  return Int32Array.of(info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.outChannels, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight,
    info.dilationWidth, p.top, p.left, pb, pr, groups);
}

/** The addon's pool geometry (12 ints). */
export function poolGeometry(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.effectiveFilterHeight, info.effectiveFilterWidth, info.strideHeight, info.strideWidth, info.padInfo.top,
    info.padInfo.left);
}
