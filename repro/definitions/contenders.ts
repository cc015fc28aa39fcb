// Rows that train a network on Fashion-MNIST under the common small-ResNet recipe and measure what it costs: top-1 per
// seed, MACs (conv + fc) and parameters at 28×28×1, batch-1 latency and training throughput on the run's backend.
// Shared by the head-to-head and the frontier. A fixed network is counted and timed once per tier; a CHEX row's
// network differs per seed (exploration), so it is counted and timed per seed after compaction.
import { join } from 'node:path';
import { loadChexCheckpoint } from '../../src/checkpoint/chex.js';
import { latencyMethod, measureLatency } from '../../src/latency/latency.js';
import type { Module } from '../../src/nn/module.js';
import type { TrainConfig } from '../../src/train/config.js';
import { createModel } from '../../src/zoo/index.js';
import type { Metric, RowDefinition, Tier } from '../definition.js';
import { compactedChexRun } from './chex-run.js';
import { throughputColumn, top1Column } from './columns.js';
import { countModel, type ModelRef } from './counts.js';
import { fashionMnistRecipe, SMALL_RESNET, SMALL_TIER } from './recipes.js';

/** Epochs per tier: quick 1 (on the first 20,000 training images), small the small tier's budget. */
export const CONTENDER_EPOCHS = { quick: 1, small: SMALL_TIER.epochs } as const;
/** The quick tier trains on the first 20,000 training images only. */
export const QUICK_TRAIN_LIMIT = 20_000;
export const SIDE = 28;
export const LATENCY_RUNS = { quick: 100, small: 1000, full: 1000 } as const;
/** The DGC recipe's lasso weight (docs/methods/dgc.md §5), the one recipe change of a DGC row. */
export const DGC_LASSO = 1e-5;

/** The recipe of a contender at a training tier (quick or small); `name` is the run's name. */
export function contenderRecipe(name: string, ref: ModelRef, tier: Tier, seed: number): TrainConfig {
  return tier === 'quick' ? fashionMnistRecipe(name, ref, seed, CONTENDER_EPOCHS.quick, QUICK_TRAIN_LIMIT)
    : fashionMnistRecipe(name, ref, seed, CONTENDER_EPOCHS.small, SMALL_TIER.trainLimit);
}

/** CHEX exploration of the small ResNet (the chex-fashion-mnist preset's: δ0 0.2, every epoch) ending one epoch before the last. */
export function smallChex(tier: Tier, channelSparsity = 0.5): NonNullable<TrainConfig['chex']> {
  const epochs = tier === 'quick' ? CONTENDER_EPOCHS.quick : CONTENDER_EPOCHS.small;
  return { channelSparsity, initChannelRatio: 0.2, deltaT: 1, tMax: Math.max(1, epochs - 1), includeSkip: false };
}

/** Batch-1 latency at 28×28×1 by the official method (docs/methods/pix.md §7.4): the mean of the tier's runs. */
async function latencyMs(m: Module, tier: Tier): Promise<number> {
  // a DGC network at the sparsity its training ends with (a fresh one prunes nothing); it then runs its kept-channel
  // eval path by itself
  (m as Module & { finishSchedule?(): void }).finishSchedule?.();
  const lat = await measureLatency(m, { ...latencyMethod('official'), input: SIDE, channels: 1, runs: LATENCY_RUNS[tier] });
  return lat.meanMs;
}

/** A contender table's columns: test top-1, its Δ columns, MACs (M) and params (K) at 28×28×1, latency, throughput. */
export function contenderColumns(flopsLabel: string, deltas: Metric[]): Metric[] {
  return [
    top1Column('test top-1'),
    ...deltas,
    { key: 'flops', label: flopsLabel, unit: 'M', decimals: 3 },
    { key: 'params', label: 'params', unit: 'K', decimals: 1 },
    { key: 'latency_ms', label: 'latency (batch 1, mean)', unit: 'ms', decimals: 2, agreement: 'machine' },
    throughputColumn(),
  ];
}

const sized = (ref: ModelRef): ModelRef => ({ model: ref.model, modelConfig: { ...ref.modelConfig, numClasses: 10, inChannels: 1 } });

export interface ContenderOptions {
  /** Prefix of the runs' names (`<prefix>-<id>`). */
  prefix: string;
  id: string;
  label: string;
  /** Tiers the row trains at (default quick and small). */
  tiers?: readonly Tier[];
  /** Other fields of the row (paper values, claims, series). */
  row?: Partial<RowDefinition>;
}

/** A fixed network: counts and latency once per tier, training per seed; `extra` changes the recipe (e.g. a lasso term). */
export function fixedContender(o: ContenderOptions & { ref: ModelRef; extra?: Partial<TrainConfig> }): RowDefinition {
  const tiers = o.tiers ?? ['quick', 'small'];
  const extra = o.extra ?? {};
  return {
    id: o.id, label: o.label, config: { ...o.ref, data: 'fashion_mnist', input: SIDE, ...extra }, tiers, ...o.row,
    async compute(ctx) {
      const c = await countModel(sized(o.ref), SIDE, 'macs', 1);
      const m = createModel(sized(o.ref).model, sized(o.ref).modelConfig);
      try {
        return { flops: c.macs / 1e6, params: c.params / 1e3, latency_ms: await latencyMs(m, ctx.tier) };
      } finally {
        m.dispose();
      }
    },
    train: { tiers, config: (tier, seed) => ({ ...contenderRecipe(`${o.prefix}-${o.id}`, o.ref, tier, seed), ...extra }) },
  };
}

/** CHEX exploration of the small ResNet at `channelSparsity`, compacted; counts and latency per seed. */
export function chexContender(o: ContenderOptions & { channelSparsity?: number }): RowDefinition {
  const tiers = o.tiers ?? ['quick', 'small'];
  const s = o.channelSparsity ?? 0.5;
  return {
    id: o.id, label: o.label, tiers, ...o.row,
    config: { ...SMALL_RESNET, data: 'fashion_mnist', input: SIDE, method: 'chex', chex: Object.fromEntries(tiers.map((t) => [t, smallChex(t, s)])) },
    train: {
      tiers,
      config: (tier, seed) => ({ ...contenderRecipe(`${o.prefix}-${o.id}`, SMALL_RESNET, tier, seed), method: 'chex', chex: smallChex(tier, s) }),
      async metrics(runDir, _config, tier) {
        const c = await compactedChexRun(runDir, SIDE, 1, 'macs');
        const m = loadChexCheckpoint(join(runDir, 'compact.pth.tar')).model;
        try {
          return { flops: c.macs / 1e6, params: c.params / 1e3, latency_ms: await latencyMs(m, tier) };
        } finally {
          m.dispose();
        }
      },
    },
  };
}
