// The accuracy–cost frontier none of the papers draws: the small bottleneck ResNet of the head-to-head (Fashion-MNIST,
// one recipe) as a dense network at five widths — the reference curve — and PiX, DGC and CHEX each at three operating
// points (PiX ζ, DGC gate factor, CHEX channel sparsity); per row test top-1 over seeds, MACs, parameters, batch-1
// latency and training throughput. Δ cells: against the full-width dense network and against the dense curve at the
// same MACs, both paired by seed (frontier-reading.ts). Small tier only.
import type { Claim, PaperValue, RowDefinition, TableDefinition } from '../definition.js';
import { CHEX_ABOVE_DENSE, PIX_ABOVE_DENSE } from './claims.js';
import { againstRow } from '../paired.js';
import { deltaTop1Column } from './columns.js';
import { chexContender, contenderColumns, DGC_LASSO, fixedContender, LATENCY_RUNS } from './contenders.js';
import type { ModelRef } from './counts.js';
import { curveDelta, DENSE_FULL, frontierReading, SERIES_DENSE } from './frontier-reading.js';
import { smallPiX, SMALL_TIER } from './recipes.js';

/** Stage widths w / 2w / 4w (bottleneck outputs ×4) of the dense reference curve; 16 is the network the methods modify. */
export const DENSE_WIDTHS = [6, 8, 12, 16, 24] as const;
/** PiX ζ in the non-first blocks, with the first blocks' ζ that keeps the stage widths (squeeze C → C/ζ). */
const PIX_POINTS = [{ zeta: 4, firstZeta: [1, 2, 2] }, { zeta: 8, firstZeta: [2, 4, 4] }, { zeta: 16, firstZeta: [4, 8, 8] }] as const;
const DGC_GATES = [0.25, 0.45, 0.7] as const;
const CHEX_SPARSITY = [0.3, 0.5, 0.7] as const;

const tiers = ['small'] as const;
const prefix = 'frontier';

const denseRef = (w: number): ModelRef => ({ model: 'resnet8_small', modelConfig: { block: 'bottleneck', layers: [2, 2, 2], widths: [w, 2 * w, 4 * w], stem: 'imagenet' } });
const dgcRef = (gateFactor: number): ModelRef => ({
  model: 'dyresnet_bottleneck_small', modelConfig: { block: 'bottleneck', layers: [2, 2, 2], widths: [16, 32, 64], stem: 'imagenet', gateFactor },
});

/** The papers' ImageNet Δ top-1 against the full dense network, for reference (their sign is the verdict's direction). */
const AGAINST_FULL: Record<string, PaperValue> = {
  'pix-z4': { value: 0.47, printed: '+0.47 (ImageNet)', note: 'PiX Table 1 E0: 76.77 vs 76.30 (docs/methods/pix.md §8.5)' },
  'pix-z8': { value: -1.83, printed: '−1.83 (ImageNet, derived)', note: 'PiX Table 1 E3 ζ=8 74.47 vs E0 ResNet-50 76.30 (docs/methods/pix.md §8.5)' },
  'dgc-g45': { value: -0.98, printed: '−0.98 (ImageNet)', note: 'DGC README: dyresnet18 31.22 % error vs ResNet-18 30.24 % at 49 % of its MACs (docs/methods/dgc.md §6)' },
};

function rowExtras(id: string, series: string, claim?: Claim): Partial<RowDefinition> {
  return {
    series, ...(AGAINST_FULL[id] ? { paper: { delta_top1: AGAINST_FULL[id]! } } : {}),
    ...(claim ? { claims: { delta_curve: claim } } : {}),
  };
}

const rows: RowDefinition[] = [
  ...DENSE_WIDTHS.map((w) => fixedContender({ prefix, id: `dense-w${w}`, label: `dense ${w}/${2 * w}/${4 * w}`, ref: denseRef(w), tiers, row: { series: SERIES_DENSE } })),
  ...PIX_POINTS.map((p) => fixedContender({
    prefix, id: `pix-z${p.zeta}`, label: `PiX ζ=${p.zeta}`, ref: smallPiX({ zeta: p.zeta, firstZeta: [...p.firstZeta] }), tiers,
    row: rowExtras(`pix-z${p.zeta}`, 'PiX', PIX_ABOVE_DENSE),
  })),
  ...DGC_GATES.map((g) => fixedContender({
    prefix, id: `dgc-g${Math.round(g * 100)}`, label: `DGC gate ${g}`, ref: dgcRef(g), extra: { auxLossWeight: DGC_LASSO }, tiers,
    row: rowExtras(`dgc-g${Math.round(g * 100)}`, 'DGC'),
  })),
  ...CHEX_SPARSITY.map((s) => chexContender({
    prefix, id: `chex-s${Math.round(s * 100)}`, label: `CHEX sparsity ${s}`, channelSparsity: s, tiers,
    row: rowExtras(`chex-s${Math.round(s * 100)}`, 'CHEX', CHEX_ABOVE_DENSE),
  })),
];

const DENSE_ROWS = rows.filter((r) => r.series === SERIES_DENSE).map((r) => r.id);

export const frontier: TableDefinition = {
  id: 'frontier', tiers,
  title: 'Accuracy–cost frontier: dense widths vs PiX ζ, DGC gate factor, CHEX sparsity on one small ResNet (Fashion-MNIST)',
  source: { paper: 'PiX', table: 'none (chanlab comparison: none of PiX, DGC and CHEX compares against the other two under one recipe)', doc: 'docs/methods/pix.md §8' },
  metrics: contenderColumns('MACs (conv+fc)', [deltaTop1Column({ paperTiers: [] }), deltaTop1Column({}, 'delta_curve')]),
  rows,
  paired: [
    againstRow('delta_top1', 'top1', (row) => (DENSE_ROWS.includes(row) ? null : DENSE_FULL)),
    curveDelta('delta_curve', DENSE_ROWS),
  ],
  defaultSeeds: { small: SMALL_TIER.seeds },
  scatter: [{ x: 'flops', y: 'top1' }, { x: 'latency_ms', y: 'top1' }],
  reading: (_tier, values) => frontierReading(rows, values),
  notes: [
    `Network: the head-to-head's bottleneck ResNet (two blocks per stage, ImageNet stem) on Fashion-MNIST at 28×28×1; recipe: ${SMALL_TIER.epochs} epochs on the first ${SMALL_TIER.trainLimit.toLocaleString('en-US')} training images, the quick preset's SGD (Nesterov, cosine, batch 256), ${SMALL_TIER.seeds} seeds per row; DGC rows add the DGC lasso term (1e-5).`,
    `Dense curve: stage widths w/2w/4w for w = ${DENSE_WIDTHS.join(', ')} (w = 16 is the network PiX, DGC and CHEX modify). PiX: ζ ${PIX_POINTS.map((p) => p.zeta).join(', ')} in every squeeze 1×1 (the first blocks' ζ keeps the stage widths; the inner width is C/ζ). DGC: every 3×3 conv a DGC layer (heads 4) at gate factor ${DGC_GATES.join(', ')}. CHEX: exploration of the w = 16 network at channel sparsity ${CHEX_SPARSITY.join(', ')}, compacted per seed.`,
    'MACs: conv + fc multiply-accumulates at 28×28×1 (DGC at its nominal gate factor plus its saliency heads; CHEX per seed after compaction). Latency: batch 1, mean of ' +
      `${LATENCY_RUNS.small} runs after 5 warm-ups on the run's backend; throughput: training images per second including the test evaluation. Measured on a shared machine: compare rows of one run only.`,
    'Δ top-1 vs dense-w16: per seed against the full-width dense network. Δ top-1 vs the dense curve: per seed against the dense rows\' top-1 at the same seed, interpolated linearly in log MACs between the two dense widths around the row\'s MACs (no cell outside the curve\'s range). Both: mean, 95 % t-interval, verdict against the papers\' direction where they state one.',
  ],
};
