// Parameters and FLOPs of a registered model under one counting convention (one forward pass on zeros).
import { captureGraph, priceGraph } from '../../src/flops/counter.js';
import type { Convention } from '../../src/flops/conventions.js';
import { createModel } from '../../src/zoo/index.js';

export interface ModelRef {
  model: string;
  /** Overrides of the registered default config. */
  modelConfig?: Record<string, unknown>;
}

/** { params, macs } of `ref` on an input [1, side, side, channels] (NHWC), MACs under `convention`. */
export async function countModel(ref: ModelRef, side: number, convention: Convention, channels = 3): Promise<{ params: number; macs: number }> {
  const m = createModel(ref.model, ref.modelConfig ?? {});
  try {
    const g = await captureGraph(m, { inputShape: [1, side, side, channels], countZeros: convention === 'chex' });
    return { params: g.params, macs: priceGraph(g, convention).totals.macs };
  } finally {
    m.dispose();
  }
}
