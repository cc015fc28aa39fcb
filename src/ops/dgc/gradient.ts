// The one registered gradient of ChanlabDgcHeads (all backends): da, dg and dw from a single ChanlabDgcHeadsGrad call.
import { engine, type GradConfig, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core';
import { ChanlabDgcHeads, ChanlabDgcHeadsGrad } from './kernel_names.js';

export const dgcHeadsGradConfig: GradConfig = {
  kernelName: ChanlabDgcHeads,
  inputsToSave: ['a', 'g', 'w'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [a, g, w] = saved;
    const gy = Array.isArray(dy) ? dy[0] : dy;
    // one kernel call for all three (each closure runs in its own tidy, see src/ops/pix/gradient.ts)
    const [da, dg, dw] = engine().runKernel(ChanlabDgcHeadsGrad, { a, g, w, dy: gy }, attrs) as Tensor[];
    return { a: () => da, g: () => dg, w: () => dw };
  },
};
