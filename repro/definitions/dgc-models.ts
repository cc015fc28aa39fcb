// DGC (docs/methods/dgc.md §4, §6): parameters and FLOPs of the README's models and the baselines, exact under the
// repository's counter (quick/full); a DGC network trained on Fashion-MNIST (small, the dgc-fashion-mnist preset); the
// released checkpoints' test error when a user supplies them (--dgc-checkpoints DIR plus the data set).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runEvalCommand } from '../../src/train/commands.js';
import type { InputName, PaperValue, RowDefinition, TableDefinition, Tier, Tolerance } from '../definition.js';
import { printedDecimals } from '../status.js';
import { countModel } from './counts.js';
import { throughputColumn, top1Column } from './columns.js';
import { presetRecipe, SMALL_TIER } from './recipes.js';

/**
 * The DGC repository's printed counts (docs/methods/dgc.md §4–§6) and the registry names of the models that
 * reproduce them (src/methods/dgc/models.ts; the plain ResNet-18 is torchvision's).
 */
export const PAPER_DGC: ReadonlyArray<{
  label: string; model: string; overrides?: Record<string, unknown>; input: number; printedFlops: string; printedParams: string; printedFrom: string;
}> = [
  { label: 'DyDenseNet-86 CIFAR-100 (h4, gf .25)', model: 'dydensenet86_cifar100', input: 32, printedFlops: '71.11M', printedParams: '4.34M', printedFrom: 'training script print / log name dydensenet_4336900_71109208' },
  { label: 'DyDenseNet-86 CIFAR-10 (h4, gf .25)', model: 'dydensenet86_cifar10', input: 32, printedFlops: '71.04M', printedParams: '4.26M', printedFrom: 'docs/methods/dgc.md §6 table' },
  { label: 'DyDenseNet ImageNet (4-6-8-10-8, h4, gf .25)', model: 'dydensenet_imagenet', input: 224, printedFlops: '549.3M', printedParams: '24.06M', printedFrom: 'docs/methods/dgc.md §4.5/§6' },
  { label: 'DyResNet-18 (h4, gf .45)', model: 'dyresnet18', input: 224, printedFlops: '890.4M', printedParams: '12.34M', printedFrom: 'docs/methods/dgc.md §4.5/§6' },
  { label: 'ResNet-18 (baseline)', model: 'resnet18', input: 224, printedFlops: '1.82G', printedParams: '', printedFrom: 'docs/methods/dgc.md §4.5/§6 (1.82 G by these rules)' },
  { label: 'DenseNet-86 CIFAR-10, static 1×1 groups 1', model: 'densenet86_cifar10', overrides: { group1x1: 1 }, input: 32, printedFlops: '177.3M', printedParams: '1.45M', printedFrom: 'docs/methods/dgc.md §4.5' },
  { label: 'DenseNet-86 CIFAR-10, static 1×1 groups 4 (CondenseNet-86)', model: 'densenet86_cifar10', overrides: { group1x1: 4 }, input: 32, printedFlops: '65.8M', printedParams: '0.52M', printedFrom: 'CondenseNet README via docs/methods/dgc.md §3.4' },
  { label: 'DenseNet ImageNet, static 1×1 groups 4', model: 'densenet_imagenet', input: 224, printedFlops: '530.4M', printedParams: '', printedFrom: 'docs/methods/dgc.md §4.5' },
];

/** A printed count ('71.11M', '1.82G') in millions, with the tolerance of its printed precision. */
function printedMillions(printed: string): { paper: PaperValue; tolerance: Tolerance } {
  const unit = printed.slice(-1);
  const num = printed.slice(0, -1);
  const d = printedDecimals(num);
  if (unit === 'M') return { paper: { value: Number(num), printed }, tolerance: { printed: { rule: 'round', decimals: d } } };
  // G: rounding to 10^-d G is |x − v| ≤ half a step, in M
  return { paper: { value: Number(num) * 1e3, printed }, tolerance: { abs: 0.5 * 10 ** (3 - d) } };
}

function countRow(r: (typeof PAPER_DGC)[number]): RowDefinition {
  const id = `${r.model.replace(/_/g, '-')}${r.overrides ? `-g${String(r.overrides.group1x1)}` : ''}`;
  const flops = printedMillions(r.printedFlops);
  const params = r.printedParams ? printedMillions(r.printedParams) : null;
  return {
    id, label: r.label, tiers: ['quick', 'full'], metrics: ['flops', 'params'],
    config: { model: r.model, ...(r.overrides ? { modelConfig: r.overrides } : {}), input: r.input, flopsConvention: 'dgc' },
    paper: {
      flops: { ...flops.paper, note: r.printedFrom },
      ...(params ? { params: params.paper } : {}),
    },
    tolerance: { flops: flops.tolerance, ...(params ? { params: params.tolerance } : {}) },
    async compute() {
      const c = await countModel({ model: r.model, modelConfig: r.overrides }, r.input, 'dgc');
      return { flops: c.macs / 1e6, params: c.params / 1e6 };
    },
  };
}

const PRESET = 'dgc-fashion-mnist';

const trained: RowDefinition = {
  id: 'fashion-mnist', label: 'small DGC DenseNet on Fashion-MNIST (the dgc-fashion-mnist preset)', tiers: ['small'],
  metrics: ['top1', 'flops', 'params', 'trainImgPerSec'],
  config: { preset: PRESET },
  train: {
    tiers: ['small'],
    config: (_tier, seed) => presetRecipe(PRESET, 'dgc-fashion-mnist', seed),
    async metrics(_runDir, config) {
      const c = await countModel({ model: config.model, modelConfig: config.modelConfig }, 28, 'dgc', 1);
      return { flops: c.macs / 1e6, params: c.params / 1e6 };
    },
  },
};

interface Released {
  id: string;
  label: string;
  model: string;
  file: string;
  dataset: 'imagenet' | 'cifar10' | 'cifar100';
  top1Err: string;
  top5Err?: string;
  tiers: readonly Tier[];
}

const RELEASED: Released[] = [
  { id: 'released-dydensenet-imagenet', label: 'dydensenet ImageNet (released)', model: 'dydensenet_imagenet', file: 'imagenet_dydensenet_h4.tar', dataset: 'imagenet', top1Err: '25.4', top5Err: '7.8', tiers: ['full'] },
  { id: 'released-dyresnet18', label: 'dyresnet18 ImageNet (released)', model: 'dyresnet18', file: 'imagenet_dyresnet18_h4.tar', dataset: 'imagenet', top1Err: '31.22', top5Err: '11.38', tiers: ['full'] },
  { id: 'released-dydensenet86-cifar10', label: 'dydensenet86 CIFAR-10 (released)', model: 'dydensenet86_cifar10', file: 'cifar10_dydensenet86_h4.tar', dataset: 'cifar10', top1Err: '4.77', tiers: ['small', 'full'] },
  { id: 'released-dydensenet86-cifar100', label: 'dydensenet86 CIFAR-100 (released)', model: 'dydensenet86_cifar100', file: 'cifar100_dydensenet86_h4.tar', dataset: 'cifar100', top1Err: '23.41', tiers: ['small', 'full'] },
];

function releasedRow(r: Released): RowDefinition {
  const err = (printed: string): PaperValue => ({ value: Number(printed), printed, note: 'README, released checkpoint (error %)' });
  return {
    id: r.id, label: r.label, tiers: r.tiers, metrics: r.top5Err ? ['top1_err', 'top5_err'] : ['top1_err'],
    config: { model: r.model, checkpoint: r.file, data: r.dataset },
    paper: { top1_err: err(r.top1Err), ...(r.top5Err ? { top5_err: err(r.top5Err) } : {}) },
    unavailable({ inputs }) {
      const dir = inputs['dgc-checkpoints'];
      if (!dir) return 'no released checkpoints: give --dgc-checkpoints DIR (or CHANLAB_DGC_CHECKPOINTS)';
      if (!existsSync(join(dir, r.file))) return `${r.file} not in ${dir}`;
      const data: InputName = r.dataset;
      if (!inputs[data]) return `its test set is needed: give --${data} DIR`;
      return null;
    },
    async compute(ctx) {
      const e = await runEvalCommand({
        model: r.model, checkpoint: join(ctx.inputs['dgc-checkpoints']!, r.file), data: { dataset: r.dataset, root: ctx.inputs[r.dataset]! },
        backend: ctx.backend, batchSize: 100, quiet: ctx.quiet,
      });
      return { top1_err: 100 - e.top1, top5_err: 100 - e.top5 };
    },
  };
}

export const dgcModels: TableDefinition = {
  id: 'dgc-models', tiers: ['quick', 'small', 'full'],
  title: 'DGC: parameters and FLOPs of the README models and baselines; Fashion-MNIST training; released checkpoints',
  source: { paper: 'DGC', table: 'README model table and the repository\'s printed counts', doc: 'docs/methods/dgc.md §6' },
  metrics: [
    { key: 'flops', label: 'FLOPs (DGC counter)', unit: 'M', decimals: 3 },
    { key: 'params', label: 'params', unit: 'M', decimals: 4 },
    top1Column('test top-1', { tiers: ['small'] }),
    { key: 'top1_err', label: 'top-1 error', unit: '%', decimals: 2, tolerance: { abs: 0.3 }, tiers: ['small', 'full'] },
    { key: 'top5_err', label: 'top-5 error', unit: '%', decimals: 2, tolerance: { abs: 0.3 }, tiers: ['full'] },
    throughputColumn(['small']),
  ],
  rows: [...PAPER_DGC.map(countRow), trained, ...RELEASED.map(releasedRow)],
  defaultSeeds: { small: SMALL_TIER.seeds, full: 1 },
  notes: [
    'FLOPs by the DGC repository\'s counter on one zero image (32² CIFAR, 224² ImageNet): multiply-adds of conv and fc (fc bias 1 per output), ReLU and pooling per element, BN free; a DGC layer at its nominal gate factor plus its saliency heads (docs/methods/dgc.md §4.1). Compared at the printed precision.',
    'The CIFAR-100 count is also printed exactly in the author\'s log name dydensenet_4336900_71109208 (4,336,900 params, 71,109,208 FLOPs; docs/methods/dgc.md §4.4).',
    `Small tier: the ${PRESET} preset (the DGC recipe shortened: all 60,000 training images, 3 epochs, dense 3×3 convs; FLOPs at 28×28×1 at the nominal gate factor), ${SMALL_TIER.seeds} seeds. No paper target.`,
    'Released checkpoints are not shipped: --dgc-checkpoints DIR (README file names) and the test set (--cifar10 / --cifar100 DIR, small and full tiers; --imagenet DIR, full tier); rows without them show "not run". Error tolerance ±0.3 pp.',
  ],
};
