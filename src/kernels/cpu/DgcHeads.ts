// cpu kernels for ChanlabDgcHeads / ChanlabDgcHeadsGrad: the shared driver (src/kernels/dgc/driver.ts) with the
// element-wise passes as plain loops on the cpu backend's arrays. The reference the other backends are tested against.
import { type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { dgcHeadsKernelConfigs, type DgcElementwise } from '../dgc/driver.js';
import { interleaveLoop, reduceHeadLoop, scaleHeadLoop, takeHeadLoop } from '../dgc/loops.js';
import { cpuValues, type CpuBackendLike } from './Pix.js';

interface CpuDisposer { disposeData(dataId: object): void }

function cpuElementwise(backend: unknown): DgcElementwise {
  const b = backend as CpuBackendLike & CpuDisposer;
  const make = (shape: number[], v: Float32Array) => b.makeTensorInfo(shape, 'float32', v);
  return {
    backendName: 'cpu',
    backend,
    dispose: (t: TensorInfo) => b.disposeData(t.dataId),
    scaleHead(a, g, i, d) {
      const out = new Float32Array(d.B * d.H * d.W * d.C);
      scaleHeadLoop(cpuValues(b, a), cpuValues(b, g), i, d, out);
      return make([d.B, d.H, d.W, d.C], out);
    },
    interleave(ys, d) {
      const y = new Float32Array(d.B * d.Ho * d.Wo * d.Co);
      interleaveLoop(ys.map((t) => cpuValues(b, t)), d, y);
      return make([d.B, d.Ho, d.Wo, d.Co], y);
    },
    takeHead(dy, i, d) {
      const out = new Float32Array(d.B * d.Ho * d.Wo * d.cph);
      takeHeadLoop(cpuValues(b, dy), i, d, out);
      return make([d.B, d.Ho, d.Wo, d.cph], out);
    },
    reduceHead(dx, a, g, i, d, acc) {
      acc.da ??= make([d.B, d.H, d.W, d.C], new Float32Array(d.B * d.H * d.W * d.C));
      if (acc.dg.length === 0) acc.dg.push(make([d.h, d.B, d.C], new Float32Array(d.h * d.B * d.C)));
      reduceHeadLoop(cpuValues(b, dx), cpuValues(b, a), cpuValues(b, g), i, d, cpuValues(b, acc.da), cpuValues(b, acc.dg[0]!));
    },
    finishDg(acc) {
      return acc.dg.pop()!;
    },
  };
}

const kernels = dgcHeadsKernelConfigs('cpu', cpuElementwise);
export const dgcHeadsCpuConfig: KernelConfig = kernels.forward;
export const dgcHeadsGradCpuConfig: KernelConfig = kernels.backward;
