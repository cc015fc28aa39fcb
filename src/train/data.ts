// Builds the train/test datasets and loaders a TrainConfig's `data` section describes.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR10, CIFAR100 } from '../data/cifar.js';
import { ArrayDataset, type Dataset, type Sample, type SampleFile } from '../data/dataset.js';
import { FashionMNIST, FASHION_MNIST_ROOT } from '../data/fashion_mnist.js';
import { findClasses, ImageFolder } from '../data/image_folder.js';
import { warnOnce } from '../core/warn.js';
import { DataLoader, mixTransform, type Transform } from '../data/loader.js';
import { checkWorkerCount, DataWorkerPool, defaultDataWorkers } from '../data/worker_pool.js';
import {
  CIFAR10_MEAN, CIFAR10_STD, CIFAR100_MEAN, CIFAR100_STD, FASHION_MNIST_MEAN, FASHION_MNIST_STD, IMAGENET_MEAN, IMAGENET_STD,
  cropFlipTransform, imagenetEvalTransform, imagenetTrainTransform, normalizeTransform, resizedTransform,
} from '../data/presets.js';
import { keyedRng } from '../data/rng_source.js';
import type { DataConfig, SyntheticConfig } from './config.js';

export interface DataSplits {
  train: Dataset;
  test: Dataset;
  numClasses: number;
  mean: readonly number[];
  std: readonly number[];
}

/** The first `n` samples of a dataset. */
export class Subset implements Dataset {
  readonly length: number;
  constructor(private readonly base: Dataset, n: number) {
    this.length = Math.min(n, base.length);
  }
  get numClasses(): number {
    return this.base.numClasses;
  }
  get imageShape(): [number, number, number] | null {
    return this.base.imageShape;
  }
  get(i: number): Sample | Promise<Sample> {
    if (!(i >= 0 && i < this.length)) throw new Error(`Subset index: expected [0, ${this.length}), got ${i}`);
    return this.base.get(i);
  }
  async verify(count = this.length): Promise<void> {
    await this.base.verify?.(Math.min(count, this.length));
  }
  get sampleFile(): ((i: number) => SampleFile) | undefined {
    const base = this.base;
    if (!base.sampleFile) return undefined;
    return (i: number) => {
      if (!(i >= 0 && i < this.length)) throw new Error(`Subset index: expected [0, ${this.length}), got ${i}`);
      return base.sampleFile!(i);
    };
  }
}

/**
 * A learnable in-memory data set for tests and smoke runs: class c images are noise around a class-specific
 * pattern (deterministic from the seed).
 */
export function syntheticDataset(s: SyntheticConfig, split: 'train' | 'test', seed: number): ArrayDataset {
  const n = split === 'train' ? s.trainSize : s.testSize;
  const per = s.height * s.width * s.channels;
  const patterns = keyedRng(seed, 7001).fillUniform(new Float32Array(s.numClasses * per), 0, 255);
  const rng = keyedRng(seed, 7002, split === 'train' ? 0 : 1);
  const pixels = new Uint8Array(n * per);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.randint(s.numClasses);
    labels[i] = c;
    for (let j = 0; j < per; j++) pixels[i * per + j] = Math.max(0, Math.min(255, Math.round(0.6 * patterns[c * per + j]! + rng.uniform(0, 102))));
  }
  return new ArrayDataset(pixels, labels, [s.height, s.width, s.channels], s.numClasses, `synthetic ${split}`);
}

function requireDir(root: string | undefined, what: string): string {
  if (!root) throw new Error(`config.data.root: required for ${what} (the folder holding the data set)`);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`config.data.root: ${what} directory ${root} does not exist`);
  return root;
}

/**
 * `<root>/train` or `<root>/val` with ONE class index for both: the training split's folders (torchvision users pass
 * its `class_to_idx`), so a label means the same class in every split. A validation folder the training split lacks
 * is an error; a training class without validation images is a warning naming it. Without train/ (evaluation of a
 * val/ folder alone), val/ numbers its own folders.
 */
function imageFolderSplit(root: string, split: 'train' | 'test'): ImageFolder {
  const train = join(root, 'train');
  const classes = existsSync(train) ? findClasses(train) : undefined;
  const dir = join(root, split === 'train' ? 'train' : 'val');
  let ds: ImageFolder;
  try {
    ds = new ImageFolder({ root: dir, ...(classes ? { classes } : {}) });
  } catch (e) {
    throw new Error(`config.data.root: ${(e as Error).message.replace('the given class index lacks', `${train} lacks`)}`);
  }
  if (ds.missingClasses.length > 0) {
    const m = ds.missingClasses;
    warnOnce(`${dir} has no images of ${m.length} class(es) of ${train}: ${m.slice(0, 10).join(', ')}${m.length > 10 ? ', …' : ''} ` +
      `(labels keep the training split's numbering; those classes are not evaluated)`);
  }
  return ds;
}

/** One split of the configured data set with its normalisation constants (only that split's files are read). */
function buildSplit(cfg: DataConfig, split: 'train' | 'test', seed: number): { ds: Dataset; mean: readonly number[]; std: readonly number[] } {
  let ds: Dataset;
  let mean: readonly number[];
  let std: readonly number[];
  switch (cfg.dataset) {
    case 'fashion_mnist': {
      ds = new FashionMNIST({ root: cfg.root ?? FASHION_MNIST_ROOT, split });
      [mean, std] = [FASHION_MNIST_MEAN, FASHION_MNIST_STD];
      break;
    }
    case 'cifar10':
    case 'cifar100': {
      const root = requireDir(cfg.root, cfg.dataset);
      ds = new (cfg.dataset === 'cifar10' ? CIFAR10 : CIFAR100)({ root, split });
      [mean, std] = cfg.dataset === 'cifar10' ? [CIFAR10_MEAN, CIFAR10_STD] : [CIFAR100_MEAN, CIFAR100_STD];
      break;
    }
    case 'imagenet': {
      ds = imageFolderSplit(requireDir(cfg.root, 'imagenet'), split);
      [mean, std] = [IMAGENET_MEAN, IMAGENET_STD];
      break;
    }
    case 'synthetic': {
      if (!cfg.synthetic) throw new Error("config.data.synthetic: required when dataset is 'synthetic'");
      ds = syntheticDataset(cfg.synthetic, split, seed);
      const c = cfg.synthetic.channels;
      [mean, std] = [new Array<number>(c).fill(0.5), new Array<number>(c).fill(0.25)];
      break;
    }
    default:
      throw new Error(`config.data.dataset: unknown '${String(cfg.dataset)}'`);
  }
  const limit = split === 'train' ? cfg.trainLimit : cfg.testLimit;
  if (limit) ds = new Subset(ds, limit);
  return { ds, mean, std };
}

export function buildDatasets(cfg: DataConfig, seed: number): DataSplits {
  const train = buildSplit(cfg, 'train', seed);
  const test = buildSplit(cfg, 'test', seed);
  return { train: train.ds, test: test.ds, numClasses: train.ds.numClasses, mean: train.mean, std: train.std };
}

/**
 * The worker threads of a data set of image files (ImageFolder), shared by its loaders: `workers` (default
 * config.data.workers, else the machine's cores); undefined for data held in memory (sliced on the calling thread).
 */
function workerPool(cfg: DataConfig, datasets: Dataset[], workers: number | undefined): DataWorkerPool | undefined {
  if (!datasets.some((d) => d.sampleFile)) return undefined;
  return new DataWorkerPool(checkWorkerCount(workers ?? cfg.workers ?? defaultDataWorkers(), workers !== undefined ? 'dataWorkers' : 'config.data.workers'));
}

/** The test split alone (what `eval` needs: no training files are read). close() stops its worker threads. */
export function buildTestLoader(cfg: DataConfig, o: { batchSize: number; seed: number; dataWorkers?: number }): {
  test: DataLoader; numClasses: number; imageShape: [number, number, number] | null; close: () => Promise<void>;
} {
  const t = buildSplit(cfg, 'test', o.seed);
  const splits: DataSplits = { train: t.ds, test: t.ds, numClasses: t.ds.numClasses, mean: t.mean, std: t.std };
  const pool = workerPool(cfg, [t.ds], o.dataWorkers);
  const test = new DataLoader({ dataset: t.ds, batchSize: o.batchSize, shuffle: false, prefetch: 0, transform: evalTransform(cfg, splits), workers: pool });
  return { test, numClasses: t.ds.numClasses, imageShape: t.ds.imageShape, close: async () => pool?.close() };
}

/**
 * `t` after resizing each image to `inputSize` × `inputSize` (PIL-exact, `interpolation`, default bilinear) for the data
 * sets other than ImageNet when `inputSize` is given (e.g. Fashion-MNIST at 56² so that an ImageNet stem leaves a
 * spatial map in the last stage); `t` itself otherwise.
 */
function atInputSize(cfg: DataConfig, t: Transform): Transform {
  const s = cfg.inputSize;
  if (cfg.dataset === 'imagenet' || s === undefined) return t;
  return resizedTransform(s, t, cfg.interpolation ?? 'bilinear');
}

export function trainTransform(cfg: DataConfig, d: DataSplits): Transform {
  const { mean, std } = d;
  if ((cfg.randAugment || cfg.randomErasing) && cfg.augment !== 'random_resized_crop') {
    throw new Error(`config.data.randAugment / randomErasing: expected augment 'random_resized_crop' (the timm pipeline they belong to), got '${cfg.augment ?? 'none'}'`);
  }
  switch (cfg.augment ?? 'none') {
    case 'none':
      return cfg.dataset === 'imagenet' ? imagenetEvalTransform(imagenetOpts(cfg, d)) : atInputSize(cfg, normalizeTransform(mean, std));
    case 'crop_flip': {
      const shape = cfg.inputSize !== undefined && cfg.dataset !== 'imagenet' ? [cfg.inputSize, cfg.inputSize] : d.train.imageShape;
      if (!shape) throw new Error("config.data.augment: 'crop_flip' needs images of one size (use 'random_resized_crop')");
      return atInputSize(cfg, cropFlipTransform([shape[0]!, shape[1]!], cfg.cropPadding ?? 4, mean, std));
    }
    case 'random_resized_crop':
      return imagenetTrainTransform(imagenetOpts(cfg, d));
  }
}

function imagenetOpts(cfg: DataConfig, d: DataSplits) {
  return {
    size: cfg.inputSize ?? 224, interpolation: cfg.interpolation, cropPct: cfg.cropPct, mean: d.mean, std: d.std,
    randAugment: cfg.randAugment ?? null, randomErasing: cfg.randomErasing ?? 0,
  };
}

export function evalTransform(cfg: DataConfig, d: DataSplits): Transform {
  return cfg.dataset === 'imagenet' ? imagenetEvalTransform(imagenetOpts(cfg, d)) : atInputSize(cfg, normalizeTransform(d.mean, d.std));
}

export interface Loaders {
  splits: DataSplits;
  train: DataLoader;
  test: DataLoader;
  /** stops the worker threads the loaders share (none for data held in memory) */
  close(): Promise<void>;
}

export interface LoaderOptions {
  batchSize: number;
  evalBatchSize: number;
  seed: number;
  labelSmoothing: number;
  /** worker threads for image files (overrides config.data.workers; default the machine's cores) */
  dataWorkers?: number;
}

export function buildLoaders(cfg: DataConfig, o: LoaderOptions): Loaders {
  const splits = buildDatasets(cfg, o.seed);
  const pool = workerPool(cfg, [splits.train, splits.test], o.dataWorkers);
  const mix = cfg.mixup;
  const mixing = mix && ((mix.mixupAlpha ?? 0) > 0 || (mix.cutmixAlpha ?? 0) > 0);
  const train = new DataLoader({
    dataset: splits.train,
    batchSize: o.batchSize,
    shuffle: true,
    seed: o.seed,
    dropLast: cfg.dropLast ?? false,
    prefetch: cfg.prefetch ?? 2,
    transform: trainTransform(cfg, splits),
    batchTransform: mixing ? mixTransform({ ...mix, numClasses: splits.numClasses, labelSmoothing: o.labelSmoothing }) : undefined,
    workers: pool,
  });
  const test = new DataLoader({ dataset: splits.test, batchSize: o.evalBatchSize, shuffle: false, prefetch: 0, transform: evalTransform(cfg, splits), workers: pool });
  return { splits, train, test, close: async () => pool?.close() };
}

/**
 * Checks, before training starts, what would otherwise fail late: the data set's classes fit the model's, every
 * validation file looks like a complete image, and the first validation batch loads. `what` names the data set.
 */
export async function checkData(loaders: Loaders, modelClasses: number, what: string): Promise<void> {
  const k = loaders.splits.numClasses;
  if (k > modelClasses) {
    throw new Error(`numClasses: data set ${what} has ${k} classes (labels 0..${k - 1}) but the model has ${modelClasses}; ` +
      `expected a model with at least ${k} classes (modelConfig.numClasses)`);
  }
  await loaders.splits.test.verify?.();
  if (loaders.test.batchesPerEpoch > 0) await loaders.test.batchAt(0, 0);
}
