// CHEX: the README's ImageNet checkpoint table (docs/methods/chex.md §8.1). Quick/full: the dense baselines' MACs under
// the CHEX counter (exact against the unpruned counts of §6.3–6.4, which the README's reductions refer to) and, for
// released checkpoints a user supplies (--chex-checkpoints DIR), their MACs and reduction; full: their ImageNet top-1
// (--imagenet DIR). Small: CHEX exploration on Fashion-MNIST against the dense network of about the same MACs.
import { join } from 'node:path';
import { CHEX_BASELINE_MACS, CHEX_CHECKPOINTS, type ChexCheckpointRow } from '../../src/methods/chex/table.js';
import { evalChexCheckpoint, findChexCheckpoint } from '../../src/train/chex_eval_table.js';
import type { RowDefinition, TableDefinition, Tier } from '../definition.js';
import { againstRow } from '../paired.js';
import { CHEX_ABOVE_DENSE } from './claims.js';
import { compactedChexRun } from './chex-run.js';
import { deltaTop1Column, throughputColumn, top1Column } from './columns.js';
import { countModel, type ModelRef } from './counts.js';
import { presetRecipe, SMALL_TIER, withoutChex } from './recipes.js';

const PRESET = 'chex-fashion-mnist';
/** The dense network of about the explored network's MACs (configs/chex-fashion-mnist.json notes). */
const SAME_BUDGET_WIDTHS = [12, 24, 48];
const FULL_WIDTHS = [16, 32, 64];
const SIDE = 28;

/** The dense ResNets the README's reductions refer to (their derived MACs: CHEX_BASELINE_MACS, docs/methods/chex.md §6.3–6.4). */
export const CHEX_BASELINES: ReadonlyArray<{ model: ChexCheckpointRow['model']; label: string }> = [
  { model: 'chex_resnet18', label: 'ResNet-18' },
  { model: 'chex_resnet34', label: 'ResNet-34' },
  { model: 'chex_resnet50', label: 'ResNet-50' },
  { model: 'chex_resnet101', label: 'ResNet-101' },
];

function baselineRow(b: (typeof CHEX_BASELINES)[number]): RowDefinition {
  const g = (CHEX_BASELINE_MACS[b.model] / 1e9).toFixed(3);
  return {
    id: b.model.replace('chex_', ''), label: `${b.label} (unpruned)`, tiers: ['quick', 'full'], metrics: ['flops', 'params'],
    config: { model: b.model, input: 224, flopsConvention: 'chex' },
    paper: { flops: { value: Number(g), printed: `${g} (derived)`, note: 'not printed by CHEX: the unpruned count under its counter (docs/methods/chex.md §6.3–6.4), the base of the README reductions' } },
    tolerance: { flops: { printed: { rule: 'round', decimals: 3 } } },
    async compute() {
      const c = await countModel({ model: b.model }, 224, 'chex');
      return { flops: c.macs / 1e9, params: c.params / 1e6 };
    },
  };
}

function checkpointRowId(r: ChexCheckpointRow): string {
  return `${r.model.replace('chex_resnet', 'r')}-${r.flops.replace('.', 'p')}g`;
}

function checkpointRow(r: ChexCheckpointRow): RowDefinition {
  const shared = r.driveId === '1oL9U3cYzi8F_ARGuGWz1RxzjyAeD1Hl8' ? 'the README links one file to its ResNet-50 3 G and 2 G rows: it can match only one' : undefined;
  const flopsNote = Number(r.flops) < 1.1 ? 'within ±0.05 G' : 'within ±3 %';
  return {
    id: checkpointRowId(r), label: `${r.label} ${r.flops} G (${r.file})`, tiers: ['quick', 'full'],
    config: { model: r.model, checkpoint: r.file, input: 224, flopsConvention: 'chex' },
    metrics: ['flops', 'reduction_pct', 'top1'],
    paper: {
      flops: { value: Number(r.flops), printed: `${r.flops}G`, note: shared ?? flopsNote },
      reduction_pct: { value: Number(r.reduction), printed: `${r.reduction}%` },
      top1: { value: Number(r.top1), printed: r.top1 },
    },
    tolerance: {
      flops: Number(r.flops) < 1.1 ? { abs: 0.05 } : { rel: 0.03 },
      reduction_pct: { abs: 1.5 },
      top1: { abs: 0.3 },
    },
    unavailable({ tier, inputs }) {
      const dir = inputs['chex-checkpoints'];
      if (!dir) return 'no released checkpoints: give --chex-checkpoints DIR (or CHANLAB_CHEX_CHECKPOINTS)';
      if (!findChexCheckpoint(dir, r)) return `${r.file}.pth.tar not in ${dir}`;
      if (tier === 'full' && !inputs.imagenet) return 'top-1 needs ImageNet: give --imagenet DIR (the folder holding val/)';
      return null;
    },
    async compute(ctx) {
      const path = findChexCheckpoint(ctx.inputs['chex-checkpoints']!, r)!;
      const imagenetVal = ctx.tier === 'full' ? join(ctx.inputs.imagenet!, 'val') : undefined;
      const e = await evalChexCheckpoint(r, path, { imagenetVal });
      if (e.error || e.macs === null || e.reductionPct === null) throw new Error(`${path}: ${e.error ?? 'no MAC count'}`);
      return { flops: e.macs / 1e9, reduction_pct: e.reductionPct, ...(e.top1 !== null ? { top1: e.top1 } : {}) };
    },
  };
}

function denseRef(widths: number[]): ModelRef {
  return { model: 'resnet8_small', modelConfig: { stem: 'imagenet', widths } };
}

function smallRow(id: string, label: string, ref: ModelRef | null): RowDefinition {
  const small: readonly Tier[] = ['small'];
  return {
    id, label, tiers: small, metrics: ['top1', 'delta_top1', 'flops_m', 'params_k', 'trainImgPerSec'],
    ...(ref ? {} : { claims: { delta_top1: CHEX_ABOVE_DENSE } }),
    config: ref ? { preset: PRESET, method: null, ...ref } : { preset: PRESET },
    train: {
      tiers: small,
      config: (_tier, seed) => {
        const c = presetRecipe(PRESET, `chex-${id}`, seed);
        return ref ? { ...withoutChex(c), model: ref.model, modelConfig: ref.modelConfig } : c;
      },
      async metrics(runDir, config) {
        const c = config.chex ? await compactedChexRun(runDir, SIDE, 1, 'chex')
          : await countModel({ model: config.model, modelConfig: { ...config.modelConfig, numClasses: 10, inChannels: 1 } }, SIDE, 'chex', 1);
        return { flops_m: c.macs / 1e6, params_k: c.params / 1e3 };
      },
    },
  };
}

export const chexCheckpoints: TableDefinition = {
  id: 'chex-checkpoints', tiers: ['quick', 'small', 'full'],
  title: 'CHEX README checkpoint table: MACs, reduction, top-1; CHEX vs dense at the same budget (Fashion-MNIST)',
  source: { paper: 'CHEX', table: 'README ImageNet checkpoint table (CLS)', doc: 'docs/methods/chex.md §8.1' },
  metrics: [
    { key: 'flops', label: 'MACs (CHEX counter, 224²)', unit: 'G', decimals: 3, tiers: ['quick', 'full'] },
    { key: 'params', label: 'params', unit: 'M', decimals: 3, tiers: ['quick', 'full'] },
    { key: 'reduction_pct', label: 'MACs reduction vs unpruned', unit: '%', decimals: 1, tiers: ['quick', 'full'] },
    top1Column('top-1', { tiers: ['small', 'full'] }),
    deltaTop1Column({ tiers: ['small'] }),
    { key: 'flops_m', label: 'MACs (CHEX counter, 28²)', unit: 'M', decimals: 3, tiers: ['small'] },
    { key: 'params_k', label: 'params', unit: 'K', decimals: 1, tiers: ['small'] },
    throughputColumn(['small']),
  ],
  rows: [
    ...CHEX_BASELINES.map(baselineRow),
    ...CHEX_CHECKPOINTS.map(checkpointRow),
    smallRow('chex-small', 'CHEX exploration, ResNet-8 16/32/64 (the chex-fashion-mnist preset), compacted', null),
    smallRow('dense-same-budget', `dense ResNet-8 ${SAME_BUDGET_WIDTHS.join('/')} (about the compacted MACs), same recipe`, denseRef(SAME_BUDGET_WIDTHS)),
    smallRow('dense-full', `dense ResNet-8 ${FULL_WIDTHS.join('/')} (unpruned), same recipe`, denseRef(FULL_WIDTHS)),
  ],
  /** CHEX against the dense network of about its MACs, seed by seed. */
  paired: [againstRow('delta_top1', 'top1', (row) => (row === 'chex-small' ? 'dense-same-budget' : null))],
  defaultSeeds: { small: SMALL_TIER.seeds, full: 1 },
  scatter: [{ x: 'flops', y: 'top1' }, { x: 'flops_m', y: 'top1' }],
  notes: [
    'MACs by the CHEX counter (compute_flops.py as the CHEX code calls it): conv MACs × the non-zero weight fraction + fc in·out + out; masked full-size and compact checkpoints count the same (docs/methods/chex.md §6).',
    'Released checkpoints are not shipped: give a folder with the README file names (--chex-checkpoints DIR or CHANLAB_CHEX_CHECKPOINTS); without it their rows show "not run". Top-1 (full tier) also needs --imagenet DIR (val/ with one folder per class).',
    'Tolerances as the README rounds loosely: MACs ±3 % (±0.05 G below 1.1 G), reduction ±1.5 pp, top-1 ±0.3 pp (JPEG decoding and resizing differ from PIL).',
    `Small tier: the ${PRESET} preset (5 epochs, CHEX sparsity 0.5, exploration up to epoch 3) against the same recipe without exploration on a dense ResNet-8 of about the compacted MACs (${SAME_BUDGET_WIDTHS.join('/')}) and the unpruned one; MACs at 28×28×1, the CHEX network after compaction. The paper prints no Fashion-MNIST numbers: these rows have no target; Δ top-1 of CHEX against the dense network of about its MACs is paired by seed, its verdict checks the CHEX claim (above a dense network of equal MACs). ${SMALL_TIER.seeds} seeds.`,
  ],
};
