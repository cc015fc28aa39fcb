// Native kernels of ChanlabDgcStackHeads / ...Grad (docs/methods/dgc.md §8.5) for the wasm backend: the heads'
// parameters copied into their stacks (fc1 through one wasm Transpose of the stacked [h, C, d]; the conv filters
// side by side with one native column copy per head) and the stacked gradients cut back into heads, one call each way.
import { getKernel, Transpose, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ChanlabDgcStackHeads, ChanlabDgcStackHeadsGrad, dgcStackInputNames, type DgcStackHeadsAttrs } from '../../ops/dgc/kernel_names.js';
import { addon, type KernelArgs, views } from './common.js';

function transpose021(b: BackendWasm, x: TensorInfo): TensorInfo {
  return (getKernel(Transpose, 'wasm')!.kernelFunc as KernelFunc)({ inputs: { x }, backend: b as never, attrs: { perm: [0, 2, 1] } }) as TensorInfo;
}

const size = (t: TensorInfo) => t.shape.reduce((p, q) => p * q, 1);

function forward(args: KernelArgs): TensorInfo[] {
  const b = args.backend as BackendWasm;
  const h = (args.attrs as unknown as DgcStackHeadsAttrs).heads;
  const ins = dgcStackInputNames(h).map((n) => (args.inputs as Record<string, TensorInfo>)[n]!);
  const [fc1, fc2, b2, w] = [0, 1, 2, 3].map((p) => ins.slice(p * h, (p + 1) * h));
  const [C, d] = fc1[0]!.shape as [number, number];
  const [k, , , cph] = w[0]!.shape as [number, number, number, number];
  const fc1s = b.makeOutput([h, C, d], 'float32');
  const outs = [b.makeOutput([h, d, C], 'float32'), b.makeOutput([h, C], 'float32'), b.makeOutput([k, k, C, cph * h], 'float32')];
  try {
    const [s1, w2v, b2v, wv] = views(b, fc1s, ...outs);
    const parts = [fc1, fc2, b2].map((ts) => views(b, ...ts));
    [s1, w2v, b2v].forEach((dst, p) => parts[p]!.forEach((v, i) => dst!.set(v, i * v.length)));
    views(b, ...w).forEach((v, i) => addon().copyColumns(Int32Array.of(k * k * C, cph, cph, 0, cph * h, i * cph), v, wv!));
    const w1 = transpose021(b, fc1s);
    return [w1, ...outs];
  } finally {
    b.disposeData(fc1s.dataId);
  }
}

function backward(args: KernelArgs): TensorInfo[] {
  const b = args.backend as BackendWasm;
  const h = (args.attrs as unknown as DgcStackHeadsAttrs).heads;
  const { dw1, dw2, db2, dw } = args.inputs as Record<'dw1' | 'dw2' | 'db2' | 'dw', TensorInfo>;
  const [, d, C] = dw1.shape as [number, number, number];
  const [k, , , Co] = dw.shape as [number, number, number, number];
  const cph = Co / h;
  const dfc1s = transpose021(b, dw1); // [h, C, d]
  try {
    const heads = Array.from({ length: h }, () => 0);
    const g1 = heads.map(() => b.makeOutput([C, d], 'float32'));
    const g2 = heads.map(() => b.makeOutput([d, C], 'float32'));
    const gb = heads.map(() => b.makeOutput([C], 'float32'));
    const gw = heads.map(() => b.makeOutput([k, k, C, cph], 'float32'));
    const [s1, s2, sb, sw] = views(b, dfc1s, dw2, db2, dw);
    [[g1, s1], [g2, s2], [gb, sb]].forEach(([outs, src]) => {
      const os = outs as TensorInfo[];
      views(b, ...os).forEach((v, i) => v.set((src as Float32Array).subarray(i * size(os[i]!), (i + 1) * size(os[i]!))));
    });
    views(b, ...gw).forEach((v, i) => addon().copyColumns(Int32Array.of(k * k * C, cph, Co, i * cph, cph, 0), sw!, v));
    return [...g1, ...g2, ...gb, ...gw];
  } finally {
    b.disposeData(dfc1s.dataId);
  }
}

export const nativeDgcStackKernels = [
  { kernelName: ChanlabDgcStackHeads, kernelFunc: forward },
  { kernelName: ChanlabDgcStackHeadsGrad, kernelFunc: backward },
];
