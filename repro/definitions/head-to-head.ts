// The head-to-head none of the papers has: a baseline and each method on the same small ResNet, data (Fashion-MNIST),
// epochs and seeds — test top-1, FLOPs in one convention, parameters, latency and training throughput.
// The DGC and CHEX rows are pending: both methods are in chanlab, but this table still needs a DGC variant of the
// same small ResNet (the DGC models are DenseNet-86 and ResNet-18) and a CHEX exploration config in its recipe.
import { latencyMethod, measureLatency } from '../../src/latency/latency.js';
import { createModel } from '../../src/zoo/index.js';
import type { RowDefinition, TableDefinition } from '../definition.js';
import { countModel, type ModelRef } from './counts.js';
import { fashionMnistRecipe, smallPiX, SMALL_RESNET } from './recipes.js';

export const H2H_EPOCHS = { quick: 1, small: 3 } as const;
/** The quick tier trains on the first 20,000 training images only. */
const QUICK_TRAIN_LIMIT = 20_000;
const SIDE = 28;
const LATENCY_RUNS = { quick: 100, small: 1000, full: 1000 } as const;

type Contender = ModelRef | { pending: string };

function contender(id: string, label: string, what: Contender): RowDefinition {
  if ('pending' in what) return { id, label, config: { pending: what.pending }, pending: what.pending };
  const ref: ModelRef = what;
  const sized: ModelRef = { model: ref.model, modelConfig: { ...ref.modelConfig, numClasses: 10, inChannels: 1 } };
  return {
    id, label, config: { ...ref, data: 'fashion_mnist', input: SIDE },
    async compute(ctx) {
      const c = await countModel(sized, SIDE, 'macs', 1);
      const m = createModel(sized.model, sized.modelConfig);
      try {
        const lat = await measureLatency(m, { ...latencyMethod('official'), input: SIDE, channels: 1, runs: LATENCY_RUNS[ctx.tier] });
        return { flops: c.macs / 1e6, params: c.params / 1e3, latency_ms: lat.meanMs };
      } finally {
        m.dispose();
      }
    },
    train: {
      tiers: ['quick', 'small'],
      config: (tier, seed) => tier === 'quick' ? fashionMnistRecipe(`h2h-${id}`, ref, seed, H2H_EPOCHS.quick, QUICK_TRAIN_LIMIT)
        : fashionMnistRecipe(`h2h-${id}`, ref, seed, H2H_EPOCHS.small),
    },
  };
}

export const headToHead: TableDefinition = {
  id: 'head-to-head',
  title: 'Head-to-head: baseline vs PiX vs DGC vs CHEX on one small ResNet (Fashion-MNIST)',
  source: { paper: 'PiX', table: 'none (chanlab comparison; PiX, DGC and CHEX each compare only against their own baselines)', doc: 'docs/methods/pix.md §8' },
  tiers: ['quick', 'small'],
  metrics: [
    { key: 'top1', label: 'test top-1', unit: '%', decimals: 2 },
    { key: 'flops', label: 'FLOPs (conv+fc MACs)', unit: 'M', decimals: 3 },
    { key: 'params', label: 'params', unit: 'K', decimals: 1 },
    { key: 'latency_ms', label: 'latency (batch 1, mean)', unit: 'ms', decimals: 2 },
    { key: 'trainImgPerSec', label: 'training throughput', unit: 'img/s', decimals: 0 },
  ],
  rows: [
    contender('baseline', 'ResNet (bottleneck 16/32/64 ×2, ImageNet stem)', SMALL_RESNET),
    contender('pix', 'PiX in every squeeze 1×1 (ζ 1/2/2 first, 4 elsewhere)', smallPiX()),
    contender('dgc', 'DGC', { pending: 'not run: needs a DGC variant of this ResNet (planned)' }),
    contender('chex', 'CHEX', { pending: 'not run: needs the CHEX exploration config in this recipe (planned)' }),
  ],
  defaultSeeds: { quick: 1, small: 3 },
  scatter: [{ x: 'flops', y: 'top1' }, { x: 'latency_ms', y: 'top1' }],
  notes: [
    `Quick tier: ${H2H_EPOCHS.quick} epoch on the first ${QUICK_TRAIN_LIMIT.toLocaleString('en-US')} training images, 1 seed; small tier: ${H2H_EPOCHS.small} epochs, 3 seeds; the quick preset's recipe (SGD Nesterov, cosine, batch 256).`,
    'FLOPs: conv + fc multiply-accumulates at 28×28×1 (BN, ReLU, pooling and the PiX op itself not counted; DGC/CHEX at their measured density once their rows run).',
    `Latency: batch 1, 28², mean of ${LATENCY_RUNS.quick} (quick) / ${LATENCY_RUNS.small} (small) runs after 5 warm-ups; throughput: training images per second including the test evaluation. Measured on a shared machine.`,
  ],
};
