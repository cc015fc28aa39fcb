// The head-to-head none of the papers has: a baseline and each method on the same small ResNet, data (Fashion-MNIST),
// epochs and seeds — test top-1, FLOPs in one convention, parameters, latency and training throughput.
// PiX replaces the squeeze 1×1 convs; DGC is the same ResNet with every 3×3 conv a DGC layer;
// CHEX explores the channels of the same ResNet during training and is measured after compaction (per seed).
import type { PaperValue, TableDefinition } from '../definition.js';
import { againstRow } from '../paired.js';
import { deltaTop1Column } from './columns.js';
import { chexContender, contenderColumns, CONTENDER_EPOCHS, DGC_LASSO, fixedContender, LATENCY_RUNS, QUICK_TRAIN_LIMIT } from './contenders.js';
import type { ModelRef } from './counts.js';
import { smallPiX, SMALL_RESNET, SMALL_TIER } from './recipes.js';

/** The DGC variant: dyresnet18's DGC settings (heads 4, gate factor 0.45, squeeze rate 16) on the small ResNet. */
export const SMALL_DGC: ModelRef = { model: 'dyresnet_bottleneck_small', modelConfig: { block: 'bottleneck', layers: [2, 2, 2], widths: [16, 32, 64], stem: 'imagenet' } };

/**
 * The papers' own Δ top-1 of the method against its dense network on ImageNet, shown for reference (another data set
 * and network): its sign is the direction the verdict checks.
 */
const PAPER_DELTA: Record<string, PaperValue> = {
  pix: { value: 0.47, printed: '+0.47 (ImageNet)', note: 'PiX Table 1 E0: ResNet-50 + PiX 76.77 vs ResNet-50 76.30 (docs/methods/pix.md §8.5)' },
  dgc: { value: -0.98, printed: '−0.98 (ImageNet)', note: 'DGC README: dyresnet18 (gate 0.45) 31.22 % top-1 error vs ResNet-18 30.24 % (docs/methods/dgc.md §6)' },
};

/** Δ top-1 of each method against the baseline row, seed by seed. */
const deltaTop1 = againstRow('delta_top1', 'top1', (row) => (row === 'baseline' ? null : 'baseline'));

const paper = (id: string) => (PAPER_DELTA[id] ? { row: { paper: { delta_top1: PAPER_DELTA[id]! } } } : {});

export const headToHead: TableDefinition = {
  id: 'head-to-head', tiers: ['quick', 'small'],
  title: 'Head-to-head: baseline vs PiX vs DGC vs CHEX on one small ResNet (Fashion-MNIST)',
  source: { paper: 'PiX', table: 'none (chanlab comparison; PiX, DGC and CHEX each compare only against their own baselines)', doc: 'docs/methods/pix.md §8' },
  // the papers' ImageNet Δ for reference only (never a target): the verdict checks its sign
  metrics: contenderColumns('FLOPs (conv+fc MACs)', [deltaTop1Column({ paperTiers: [] })]),
  rows: [
    fixedContender({ prefix: 'h2h', id: 'baseline', label: 'ResNet (bottleneck 16/32/64 ×2, ImageNet stem)', ref: SMALL_RESNET }),
    fixedContender({ prefix: 'h2h', id: 'pix', label: 'PiX in every squeeze 1×1 (ζ 1/2/2 first, 4 elsewhere)', ref: smallPiX(), ...paper('pix') }),
    fixedContender({ prefix: 'h2h', id: 'dgc', label: 'DGC in every 3×3 conv (heads 4, gate 0.45), lasso 1e-5', ref: SMALL_DGC, extra: { auxLossWeight: DGC_LASSO }, ...paper('dgc') }),
    chexContender({ prefix: 'h2h', id: 'chex', label: 'CHEX exploration of the same ResNet (sparsity 0.5), compacted', channelSparsity: 0.5 }),
  ],
  paired: [deltaTop1],
  defaultSeeds: { quick: 1, small: SMALL_TIER.seeds },
  scatter: [{ x: 'flops', y: 'top1' }, { x: 'latency_ms', y: 'top1' }],
  notes: [
    `Quick tier: ${CONTENDER_EPOCHS.quick} epoch on the first ${QUICK_TRAIN_LIMIT.toLocaleString('en-US')} training images, 1 seed; small tier: ${CONTENDER_EPOCHS.small} epochs on the first ${SMALL_TIER.trainLimit.toLocaleString('en-US')} training images, ${SMALL_TIER.seeds} seeds; the quick preset's recipe (SGD Nesterov, cosine, batch 256).`,
    'FLOPs: conv + fc multiply-accumulates at 28×28×1 (BN, ReLU, pooling and the PiX op itself not counted). DGC: each DGC conv at its nominal gate factor (0.45 of its dense MACs) plus its saliency heads\' fc MACs; CHEX: the compacted network of each seed (mean over seeds), so its params, FLOPs and latency are per-seed means.',
    'What differs: DGC adds the DGC recipe\'s lasso term (1e-5) and its gradual channel deactivation (per-iteration progress) and puts a BN + ReLU before each DGC conv (the DGC layer\'s own pre-activation, so conv2\'s input is normalised twice); CHEX prunes and regrows inner channels (not the shortcuts) every epoch up to one epoch before the end (quick: only the initial 70 % mask, one epoch), weight decay follows the quick recipe, not CHEX\'s no-BN rule. The DGC layer computes only its kept channels (the kept-channel kernels of docs/methods/dgc.md §8.5, in training and evaluation): on this network\'s 2×2 to 7×7 maps its fixed per-layer costs (BN + ReLU pass, saliency heads) outweigh the saved multiply-adds, so its latency can exceed the baseline\'s at fewer MACs.',
    'Δ top-1: per seed, the method\'s top-1 minus the baseline\'s at the same seed; mean, 95 % t-interval and verdict. The papers\' ImageNet Δ (PiX +0.47, DGC −0.98) is shown for reference: the verdict checks its sign only.',
    'DGC: only the 3×3 convs are DGC layers (dyresnet18 makes every block conv one; on this bottleneck network that variant barely trains, docs/methods/dgc.md §8.4).',
    `Latency: batch 1, 28², mean of ${LATENCY_RUNS.quick} (quick) / ${LATENCY_RUNS.small} (small) runs after 5 warm-ups; throughput: training images per second including the test evaluation. Measured on a shared machine.`,
  ],
};
