// wasm kernels for ChanlabDgcHeads / ChanlabDgcHeadsGrad: the shared driver (src/kernels/dgc/driver.ts) with the
// element-wise passes as JS loops directly on the wasm heap (no copies). The convolutions are the wasm backend's own
// kernels (XNNPACK forward, chanlab's wasm gradients), or the native ones when the addon replaced them.
// Not registered by default: single-threaded JS loops are slower than the wasm backend's SIMD element-wise kernels,
// so on pure wasm the stock-op composite is as fast or faster (measured 0.9×–1.0× of the composite for a training
// step, docs/methods/dgc.md §8.3). They are the fallback of the native kernels (src/kernels/native/dgc.ts), which
// run the heads as one grouped oneDNN convolution instead.
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { dgcHeadsKernelConfigs, type DgcElementwise } from '../dgc/driver.js';
import { interleaveLoop, reduceHeadLoop, scaleHeadLoop, takeHeadLoop } from '../dgc/loops.js';
import type { WasmBackendLike } from './PixCommon.js';

interface WasmDisposer { disposeData(dataId: object): void }

export function wasmElementwise(backend: unknown): DgcElementwise {
  const b = backend as WasmBackendLike & WasmDisposer;
  // views are taken after every makeOutput (an allocation may grow, and so detach, the heap)
  const view = (t: TensorInfo) => b.typedArrayFromHeap(t);
  return {
    backendName: 'wasm',
    backend,
    dispose: (t: TensorInfo) => b.disposeData(t.dataId),
    scaleHead(a, g, i, d) {
      const out = b.makeOutput([d.B, d.H, d.W, d.C], 'float32');
      scaleHeadLoop(view(a), view(g), i, d, view(out));
      return out;
    },
    interleave(ys, d) {
      const y = b.makeOutput([d.B, d.Ho, d.Wo, d.Co], 'float32');
      interleaveLoop(ys.map(view), d, view(y));
      return y;
    },
    takeHead(dy, i, d) {
      const out = b.makeOutput([d.B, d.Ho, d.Wo, d.cph], 'float32');
      takeHeadLoop(view(dy), i, d, view(out));
      return out;
    },
    reduceHead(dx, a, g, i, d, acc) {
      acc.da ??= b.makeOutput([d.B, d.H, d.W, d.C], 'float32');
      if (acc.dg.length === 0) acc.dg.push(b.makeOutput([d.h, d.B, d.C], 'float32'));
      reduceHeadLoop(view(dx), view(a), view(g), i, d, view(acc.da), view(acc.dg[0]!));
    },
    finishDg(acc) {
      return acc.dg.pop()!;
    },
  };
}

const kernels = dgcHeadsKernelConfigs('wasm', wasmElementwise);
export const dgcHeadsWasmForward: KernelFunc = kernels.forward.kernelFunc;
export const dgcHeadsWasmBackward: KernelFunc = kernels.backward.kernelFunc;
export const dgcHeadsWasmConfig: KernelConfig = kernels.forward;
export const dgcHeadsGradWasmConfig: KernelConfig = kernels.backward;
