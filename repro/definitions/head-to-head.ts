// The head-to-head none of the papers has: a baseline and each method on the same small ResNet, data (Fashion-MNIST),
// epochs and seeds — test top-1, FLOPs in one convention, parameters, latency and training throughput.
// PiX replaces the squeeze 1×1 convs; DGC is the same ResNet with every 3×3 conv a DGC layer;
// CHEX explores the channels of the same ResNet during training and is measured after compaction (per seed).
import { join } from 'node:path';
import { loadChexCheckpoint } from '../../src/checkpoint/chex.js';
import { latencyMethod, measureLatency } from '../../src/latency/latency.js';
import type { Module } from '../../src/nn/module.js';
import type { TrainConfig } from '../../src/train/config.js';
import { createModel } from '../../src/zoo/index.js';
import type { RowDefinition, TableDefinition, Tier } from '../definition.js';
import { compactedChexRun } from './chex-run.js';
import { countModel, type ModelRef } from './counts.js';
import { fashionMnistRecipe, smallPiX, SMALL_RESNET, SMALL_TIER } from './recipes.js';

export const H2H_EPOCHS = { quick: 1, small: SMALL_TIER.epochs } as const;
/** The quick tier trains on the first 20,000 training images only. */
const QUICK_TRAIN_LIMIT = 20_000;
const SIDE = 28;
const LATENCY_RUNS = { quick: 100, small: 1000, full: 1000 } as const;
/** The DGC recipe's lasso weight (docs/methods/dgc.md §5), the one recipe change of the DGC row. */
const DGC_LASSO = 1e-5;
/** The DGC variant: dyresnet18's DGC settings (heads 4, gate factor 0.45, squeeze rate 16) on the small ResNet. */
export const SMALL_DGC: ModelRef = { model: 'dyresnet_bottleneck_small', modelConfig: { block: 'bottleneck', layers: [2, 2, 2], widths: [16, 32, 64], stem: 'imagenet' } };
/** CHEX on the small ResNet: the chex-fashion-mnist preset's exploration (sparsity 0.5, δ0 0.2, every epoch) ending one epoch before the last. */
export function smallChex(tier: Tier): NonNullable<TrainConfig['chex']> {
  const epochs = tier === 'quick' ? H2H_EPOCHS.quick : H2H_EPOCHS.small;
  return { channelSparsity: 0.5, initChannelRatio: 0.2, deltaT: 1, tMax: Math.max(1, epochs - 1), includeSkip: false };
}

function recipe(id: string, ref: ModelRef, tier: Tier, seed: number): TrainConfig {
  return tier === 'quick' ? fashionMnistRecipe(`h2h-${id}`, ref, seed, H2H_EPOCHS.quick, QUICK_TRAIN_LIMIT)
    : fashionMnistRecipe(`h2h-${id}`, ref, seed, H2H_EPOCHS.small, SMALL_TIER.trainLimit);
}

async function latencyMs(m: Module, tier: Tier): Promise<number> {
  // the DGC network at the sparsity its training ends with (a fresh one prunes nothing); it then runs its kept-channel
  // eval path by itself
  (m as Module & { finishSchedule?(): void }).finishSchedule?.();
  const lat = await measureLatency(m, { ...latencyMethod('official'), input: SIDE, channels: 1, runs: LATENCY_RUNS[tier] });
  return lat.meanMs;
}

const sized = (ref: ModelRef): ModelRef => ({ model: ref.model, modelConfig: { ...ref.modelConfig, numClasses: 10, inChannels: 1 } });

/** A fixed network: counts and latency once per tier, training per seed. */
function contender(id: string, label: string, ref: ModelRef, extra: Partial<TrainConfig> = {}, trainTiers: readonly Tier[] = ['quick', 'small']): RowDefinition {
  return {
    id, label, config: { ...ref, data: 'fashion_mnist', input: SIDE, ...extra },
    async compute(ctx) {
      const c = await countModel(sized(ref), SIDE, 'macs', 1);
      const m = createModel(sized(ref).model, sized(ref).modelConfig);
      try {
        return { flops: c.macs / 1e6, params: c.params / 1e3, latency_ms: await latencyMs(m, ctx.tier) };
      } finally {
        m.dispose();
      }
    },
    ...(trainTiers.length ? { train: { tiers: trainTiers, config: (tier: Tier, seed: number) => ({ ...recipe(id, ref, tier, seed), ...extra }) } } : {}),
  };
}

/** CHEX: the network differs per seed (exploration), so counts and latency are taken per seed on the compacted one. */
function chexContender(id: string, label: string): RowDefinition {
  return {
    id, label, config: { ...SMALL_RESNET, data: 'fashion_mnist', input: SIDE, method: 'chex', chex: { quick: smallChex('quick'), small: smallChex('small') } },
    train: {
      tiers: ['quick', 'small'],
      config: (tier, seed) => ({ ...recipe(id, SMALL_RESNET, tier, seed), method: 'chex', chex: smallChex(tier) }),
      async metrics(runDir, config) {
        const c = await compactedChexRun(runDir, SIDE, 1, 'macs');
        const m = loadChexCheckpoint(join(runDir, 'compact.pth.tar')).model;
        try {
          return { flops: c.macs / 1e6, params: c.params / 1e3, latency_ms: await latencyMs(m, config.epochs === H2H_EPOCHS.quick ? 'quick' : 'small') };
        } finally {
          m.dispose();
        }
      },
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
    contender('dgc', 'DGC in every 3×3 conv (heads 4, gate 0.45), lasso 1e-5', SMALL_DGC, { auxLossWeight: DGC_LASSO }),
    chexContender('chex', 'CHEX exploration of the same ResNet (sparsity 0.5), compacted'),
  ],
  defaultSeeds: { quick: 1, small: 3 },
  scatter: [{ x: 'flops', y: 'top1' }, { x: 'latency_ms', y: 'top1' }],
  notes: [
    `Quick tier: ${H2H_EPOCHS.quick} epoch on the first ${QUICK_TRAIN_LIMIT.toLocaleString('en-US')} training images, 1 seed; small tier: ${H2H_EPOCHS.small} epochs on the first ${SMALL_TIER.trainLimit.toLocaleString('en-US')} training images, 3 seeds; the quick preset's recipe (SGD Nesterov, cosine, batch 256).`,
    'FLOPs: conv + fc multiply-accumulates at 28×28×1 (BN, ReLU, pooling and the PiX op itself not counted). DGC: each DGC conv at its nominal gate factor (0.45 of its dense MACs) plus its saliency heads\' fc MACs; CHEX: the compacted network of each seed (mean over seeds), so its params, FLOPs and latency are per-seed means.',
    'What differs: DGC adds the DGC recipe\'s lasso term (1e-5) and its gradual channel deactivation (per-iteration progress) and puts a BN + ReLU before each DGC conv (the DGC layer\'s own pre-activation, so conv2\'s input is normalised twice); CHEX prunes and regrows inner channels (not the shortcuts) every epoch up to one epoch before the end (quick: only the initial 70 % mask, one epoch), weight decay follows the quick recipe, not CHEX\'s no-BN rule. DGC latency: every DGC layer at its end-of-training sparsity (each head keeps 45 % of its input channels), evaluated on the kept channels only (docs/methods/dgc.md §8.3); training runs the kept-channel op as well.',
    'DGC: only the 3×3 convs are DGC layers (dyresnet18 makes every block conv one; on this bottleneck network that variant barely trains, docs/methods/dgc.md §8.4).',
    `Latency: batch 1, 28², mean of ${LATENCY_RUNS.quick} (quick) / ${LATENCY_RUNS.small} (small) runs after 5 warm-ups; throughput: training images per second including the test evaluation. Measured on a shared machine.`,
  ],
};
