// webgpu kernel for ChanlabDgcEval (docs/methods/dgc.md §8.3): the backend's FusedBatchNorm, Relu and Mean kernels for
// a = relu(BN(x)) and z = mean_HW(a), then WGSL programs (DgcEvalPrograms.ts) for the saliency MLPs, the gate, the
// kept lists and the convolution over the kept channels only. Nothing returns to the CPU.
import { FusedBatchNorm, getKernel, Mean, Relu, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ChanlabDgcEval, type DgcEvalAttrs } from '../../ops/dgc/kernel_names.js';
import {
  DgcGateProgram, DgcHiddenProgram, DgcKeptConvProgram, DgcKeptListProgram, DgcSaliencyProgram, dgcEvalUniforms,
  type DgcEvalSizes,
} from './DgcEvalPrograms.js';

function run(b: WebGPUBackend, name: string, inputs: NamedTensorInfoMap, attrs: object): TensorInfo {
  const k = getKernel(name, 'webgpu');
  if (k === undefined) throw new Error(`dgcEval: backend 'webgpu' has no ${name} kernel`);
  return (k.kernelFunc as KernelFunc)({ inputs, backend: b as never, attrs: attrs as NamedAttrMap }) as TensorInfo;
}

const evalKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WebGPUBackend;
  const at = attrs as unknown as DgcEvalAttrs;
  const { x, mean, variance, gamma, beta, w1, w2, b2, w } = inputs as Record<string, TensorInfo>;
  const [B, H, W, C] = x!.shape as [number, number, number, number];
  const [k, , , Co] = w!.shape as [number, number, number, number];
  const h = at.heads;
  const s: DgcEvalSizes = {
    B, H, W, C, Co, h, d: w1!.shape[1]!, k, stride: at.stride, pad: at.padding, kDrop: at.inactive,
    Ho: Math.floor((H + 2 * at.padding - k) / at.stride) + 1, Wo: Math.floor((W + 2 * at.padding - k) / at.stride) + 1,
  };
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  try {
    const bn = keep(run(b, FusedBatchNorm, { x: x!, mean: mean!, variance: variance!, offset: beta!, scale: gamma! }, { varianceEpsilon: at.epsilon }));
    const a = keep(run(b, Relu, { x: bn }, {}));
    const z = keep(run(b, Mean, { x: a }, { axis: [1, 2], keepDims: false }));
    const rows = h * B;
    const hid = keep(b.runWebGPUProgram(new DgcHiddenProgram([h, B, s.d], rows * s.d), [z, w1!], 'float32', dgcEvalUniforms(s, rows * s.d)));
    const g = keep(b.runWebGPUProgram(new DgcSaliencyProgram([h, B, C], rows * C), [hid, w2!, b2!], 'float32', dgcEvalUniforms(s, rows * C)));
    const gated = b.runWebGPUProgram(new DgcGateProgram([h, B, C], rows), [g], 'float32', dgcEvalUniforms(s, rows));
    const list = keep(b.runWebGPUProgram(new DgcKeptListProgram([h, B, C + 1], rows), [gated], 'int32', dgcEvalUniforms(s, rows)));
    const vec = (Co / h) % 4 === 0;
    const n = B * s.Ho * s.Wo * Co / (vec ? 4 : 1);
    const y = b.runWebGPUProgram(new DgcKeptConvProgram([B, s.Ho, s.Wo, Co], n, vec), [a, gated, list, w!], 'float32', dgcEvalUniforms(s, n));
    return [y, gated];
  } finally {
    temps.forEach((t) => b.disposeData(t.dataId));
  }
};

export const dgcEvalWebGPUConfig: KernelConfig = { kernelName: ChanlabDgcEval, backendName: 'webgpu', kernelFunc: evalKernel };
