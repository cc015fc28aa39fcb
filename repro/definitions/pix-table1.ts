// PiX main Table 1 ("PiX as a channel squeezer", docs/methods/pix.md §8.5): parameters and FLOPs exact at every tier
// (params truncated to 0.1 M, FLOPs = ptflops-style count rounded to 0.01 B: the paper's rules, §5.6–5.7); top-1 and
// the Δ of each PiX network against its baseline (paired by seed) at the small tier (the same networks at 1/8 width
// on Fashion-MNIST at 56², the paper's numbers for reference) and the full tier (ImageNet, the target).
import type { Metric, PaperValue, RowDefinition, TableDefinition } from '../definition.js';
import { againstRow } from '../paired.js';
import { deltaTop1Column, IMAGENET_TOP1, throughputColumn, top1Column, TRANSFERRED_DELTA } from './columns.js';
import { countModel, type ModelRef } from './counts.js';
import { fashionMnistRecipe, imagenetRecipe, SMALL_TIER } from './recipes.js';

/**
 * Input side of the small tier: Fashion-MNIST upsampled ×2 (PIL bilinear). The ImageNet stem and the three stride-2
 * stages shrink the input 32×: at 28² the last stage sees a 1×1 map (PiX's per-pixel pick-or-mix degenerates into a
 * per-image one and its 3×3 convs see padding around one pixel); at 56² it is 2×2 (14, 7, 4, 2 per stage) — the
 * smallest input that leaves a spatial map there is 33², 56² is the nearest exact ×2 upsampling, at 4× the pixels.
 */
export const SMALL_SIDE = 56;
/** Stage planes of the small-tier networks: 1/8 of torchvision's 64/128/256/512 (bottleneck outputs 32…256, stem 8). */
const SMALL_PLANES = [8, 16, 32, 64];

/** The small-tier dense network: bottleneck stages `layers` at SMALL_PLANES, ImageNet stem. */
function smallDense(layers: number[], extra: Record<string, unknown> = {}): ModelRef {
  return { model: 'resnet8_small', modelConfig: { block: 'bottleneck', layers, widths: SMALL_PLANES, stem: 'imagenet', ...extra } };
}

/** The small-tier PiX network: the same stages with PiX in every squeeze 1×1 (ζ 1/2/2/2 first blocks, 4 elsewhere). */
function smallPix(layers: number[], extra: Record<string, unknown> = {}): ModelRef {
  return {
    model: 'pix_resnet29_small',
    modelConfig: { layers, outWidths: SMALL_PLANES.map((w) => 4 * w), stemWidth: SMALL_PLANES[0], firstZeta: [1, 2, 2, 2], zeta: 4, stem: 'imagenet', ...extra },
  };
}

/** A row of the printed table: its networks (full and small tier) and its printed cells. */
export interface PixTable1Spec {
  id: string;
  label: string;
  ref: ModelRef;
  /** The same network at the small tier. */
  small: ModelRef;
  /** The row this PiX row is compared with (its baseline in the printed table). */
  baseline?: string;
  params: string;
  flops: string;
  top1: string;
  /** The printed FLOP reduction against the baseline (%), PiX rows only. */
  reduction?: string;
  pending?: string;
  flopsNote?: string;
  deltaNote?: string;
}

const R50 = [3, 4, 6, 3];
const avg = { reduce: 'avg' };
const max = { reduce: 'max' };
/** Main Table 1 as printed (docs/methods/pix.md §8.5): params in M, FLOPs in B, top-1 in %, reductions in %. */
export const PIX_TABLE1: readonly PixTable1Spec[] = [
  { id: 'e0-resnet50', label: 'E0 ResNet-50', ref: { model: 'resnet50' }, small: smallDense(R50), params: '25.5', flops: '4.12', top1: '76.30' },
  { id: 'e0-pix', label: 'E0 ResNet-50 + PiX', ref: { model: 'pix_resnet50_cs' }, small: smallPix(R50), baseline: 'e0-resnet50', params: '25.5', flops: '3.18', top1: '76.77', reduction: '22.8',
    flopsNote: 'paper slip (docs/methods/pix.md §5.7): the rule that gives the 7 other FLOPs gives 3.188 → 3.19 here' },
  { id: 'e0-pix-avg', label: 'E0 ResNet-50 + PiX(Avg)', ref: { model: 'pix_resnet50_cs', modelConfig: avg }, small: smallPix(R50, avg), baseline: 'e0-resnet50', params: '25.5', flops: '3.18', top1: '76.58',
    flopsNote: 'as E0 PiX (same FLOP count)' },
  { id: 'e0-pix-max', label: 'E0 ResNet-50 + PiX(Max)', ref: { model: 'pix_resnet50_cs', modelConfig: max }, small: smallPix(R50, max), baseline: 'e0-resnet50', params: '25.5', flops: '3.18', top1: '76.57',
    flopsNote: 'as E0 PiX (same FLOP count)' },
  { id: 'e1-resnet101', label: 'E1 ResNet-101', ref: { model: 'resnet101' }, small: smallDense([3, 4, 23, 3]), params: '44.5', flops: '7.85', top1: '77.21' },
  { id: 'e1-pix', label: 'E1 ResNet-101 + PiX', ref: { model: 'pix_resnet101_cs' }, small: smallPix([3, 4, 23, 3]), baseline: 'e1-resnet101', params: '44.5', flops: '6.05', top1: '77.96', reduction: '22.9',
    deltaNote: 'printed ↑0.45: 77.96 − 77.21 = 0.75 (docs/methods/pix.md §8.5)' },
  { id: 'e2-resnet152', label: 'E2 ResNet-152', ref: { model: 'resnet152' }, small: smallDense([3, 8, 36, 3]), params: '60.1', flops: '11.58', top1: '77.78' },
  { id: 'e2-pix', label: 'E2 ResNet-152 + PiX', ref: { model: 'pix_resnet152_cs' }, small: smallPix([3, 8, 36, 3]), baseline: 'e2-resnet152', params: '60.1', flops: '8.91', top1: '78.12', reduction: '23.0',
    deltaNote: 'printed ↑0.44: 78.12 − 77.78 = 0.34 (docs/methods/pix.md §8.5)' },
  { id: 'e3-resnet50-z8', label: 'E3 ResNet-50 (ζ=8, half width)', ref: { model: 'resnet50_half' }, small: smallDense(R50, { widthPerGroup: 32 }), params: '12.3', flops: '1.85', top1: '73.66' },
  { id: 'e3-pix-z8', label: 'E3 ResNet-50 + PiX (ζ=8)', ref: { model: 'pix_resnet50_cs_z8' }, small: smallPix(R50, { firstZeta: [2, 4, 4, 4], zeta: 8 }), baseline: 'e3-resnet50-z8',
    params: '12.3', flops: '1.39', top1: '74.47', reduction: '24.8' },
  { id: 'e4-se-resnet50', label: 'E4 ResNet-50 + SE', ref: { model: 'se_resnet50' }, small: { model: 'se_resnet50', modelConfig: { widths: SMALL_PLANES } }, params: '28.0', flops: '4.13', top1: '76.85' },
  { id: 'e4-se-pix', label: 'E4 ResNet-50 + SE + PiX', ref: { model: 'pix_se_resnet50_cs' }, small: smallPix(R50, { se: true }), baseline: 'e4-se-resnet50', params: '28.0', flops: '3.19', top1: '76.95', reduction: '22.8',
    flopsNote: 'SE placement inferred (docs/methods/pix.md §5.8): 3.197 rounds to 3.20' },
];
const SPECS = PIX_TABLE1;

const metrics: Metric[] = [
  { key: 'params', label: 'params', unit: 'M', decimals: 3, tolerance: { printed: { rule: 'trunc', decimals: 1 } } },
  { key: 'flops', label: 'FLOPs (ptflops-style)', unit: 'B', decimals: 3, tolerance: { printed: { rule: 'round', decimals: 2 } } },
  // ImageNet top-1 is the target only at the full tier; ±0.3 pp is a typical seed-to-seed spread at that scale.
  top1Column('top-1', { tiers: ['small', 'full'], ...IMAGENET_TOP1 }),
  // as the ablations: another data set and network at the small tier, so only the direction and rough size can agree
  deltaTop1Column({ tiers: ['small', 'full'], tolerance: TRANSFERRED_DELTA }),
  { key: 'macs_small', label: `MACs of the small-tier network (conv+fc, ${SMALL_SIDE}²×1)`, unit: 'M', decimals: 3, tiers: ['small'] },
  { key: 'params_small', label: 'params of the small-tier network', unit: 'K', decimals: 1, tiers: ['small'] },
  throughputColumn(['small']),
];

function pv(printed: string, note?: string): PaperValue {
  return { value: Number(printed), printed, ...(note ? { note } : {}) };
}

/** The printed Δ top-1 of a PiX row against its baseline (from the two printed top-1 values). */
function paperDelta(s: PixTable1Spec): PaperValue | null {
  const base = s.baseline ? SPECS.find((x) => x.id === s.baseline)! : null;
  if (!base) return null;
  const d = Number(s.top1) - Number(base.top1);
  return { value: d, printed: `${d > 0 ? '+' : ''}${d.toFixed(2)} (${s.top1} − ${base.top1})`, ...(s.deltaNote ? { note: s.deltaNote } : {}) };
}

const rows: RowDefinition[] = SPECS.map((s) => {
  const delta = paperDelta(s);
  const small = { model: s.small.model, modelConfig: { ...s.small.modelConfig, numClasses: 10, inChannels: 1 } };
  return {
    id: s.id, label: s.label, config: { ...s.ref, input: 224, flopsConvention: 'ptflops', small: { ...s.small, input: SMALL_SIDE } },
    paper: { params: pv(s.params), flops: pv(s.flops, s.flopsNote), top1: pv(s.top1), ...(delta ? { delta_top1: delta } : {}) },
    ...(s.pending ? { pending: s.pending } : {}),
    async compute(ctx) {
      const c = await countModel(s.ref, 224, 'ptflops');
      const counts = { params: c.params / 1e6, flops: c.macs / 1e9 };
      if (ctx.tier !== 'small') return counts;
      const m = await countModel(small, SMALL_SIDE, 'macs', 1);
      return { ...counts, macs_small: m.macs / 1e6, params_small: m.params / 1e3 };
    },
    train: {
      tiers: ['small', 'full'],
      config: (tier, seed) => {
        if (tier === 'full') return imagenetRecipe(`pix-table1-${s.id}`, s.ref, seed);
        const c = fashionMnistRecipe(`pix-table1-${s.id}`, s.small, seed, SMALL_TIER.epochs, SMALL_TIER.trainLimit);
        return { ...c, data: { ...c.data, inputSize: SMALL_SIDE } };
      },
    },
  };
});

export const pixTable1: TableDefinition = {
  id: 'pix-table1', tiers: ['quick', 'small', 'full'],
  title: 'PiX main Table 1: PiX as a channel squeezer (params, FLOPs, top-1)',
  source: { paper: 'PiX', table: 'main Table 1', doc: 'docs/methods/pix.md §8.5' },
  metrics,
  rows,
  paired: [againstRow('delta_top1', 'top1', (row) => SPECS.find((x) => x.id === row)?.baseline ?? null)],
  defaultSeeds: { small: SMALL_TIER.seeds, full: 1 },
  notes: [
    'Params and FLOPs are counted on the chanlab models at 224² (batch 1); FLOPs are ptflops-style multiply-adds (docs/methods/pix.md §5.7).',
    `Small tier: each row's network at 1/8 width (planes ${SMALL_PLANES.join('/')}, same depth, ζ and SE) on Fashion-MNIST upsampled to ${SMALL_SIDE}² (1 channel), ` +
      `${SMALL_TIER.epochs} epochs on the first ${SMALL_TIER.trainLimit.toLocaleString('en-US')} training images, the quick recipe, ${SMALL_TIER.seeds} seeds. At 28² the ImageNet stem and three stride-2 stages leave a 1×1 map in the last stage; at ${SMALL_SIDE}² it is 2×2. ` +
      'The paper\'s ImageNet top-1 is shown for reference; the Δ of each PiX network against its baseline is paired by seed (mean, 95 % t-interval, verdict against the printed Δ\'s sign).',
    'The E3 (ζ=8) and E4 (+SE) layouts are inferred from the printed counts (docs/methods/pix.md §5.7–5.8).',
  ],
};
