// The preprocessing pipelines the three papers use, as per-sample transforms for DataLoader.
//  - CIFAR (DGC): RandomCrop(32, padding 4) + horizontal flip + normalise; eval: normalise only.
//  - ImageNet train (PiX §7.2 / CHEX / DGC): RandomResizedCrop(224, (0.08, 1), (3/4, 4/3)) + flip + normalise
//    (PiX's timm recipe uses bicubic; CHEX and DGC bilinear).
//  - ImageNet eval: Resize(⌊224 / cropPct⌋ = 256) + CenterCrop(224) + normalise.
//    PiX's README recipe adds RandAugment `rand-m7-mstd0.5-inc1` after the flip and RandomErasing p 0.25 after normalising.
import type { Rng } from '../core/rng.js';
import type { Image } from './image.js';
import type { MixOptions } from './mix.js';
import { randAugment } from './rand_augment.js';
import { randomErasing } from './random_erasing.js';
import { resize, resizeTo, type Interpolation } from './resize.js';
import { centerCrop, normalize, randomCrop, randomHorizontalFlip, randomResizedCrop } from './transforms.js';
import type { ImagenetTransformOptions, Transform, TransformSpec } from './transform_spec.js';

export type { ImagenetTransformOptions, TransformSpec } from './transform_spec.js';

export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
export const CIFAR10_MEAN = [0.4914, 0.4824, 0.4467] as const;
export const CIFAR10_STD = [0.2471, 0.2435, 0.2616] as const;
export const CIFAR100_MEAN = [0.5071, 0.4867, 0.4408] as const;
export const CIFAR100_STD = [0.2675, 0.2565, 0.2761] as const;
/** Fashion-MNIST train-set statistics of x / 255 */
export const FASHION_MNIST_MEAN = [0.286] as const;
export const FASHION_MNIST_STD = [0.353] as const;

/** Applies transforms left to right, all sharing one Rng stream (no spec: it runs on the loader's thread). */
export function compose(...fns: Transform[]): Transform {
  return (img: Image, rng: Rng) => fns.reduce((acc, f) => f(acc, rng), img);
}

/** The transform a spec describes, carrying the spec (so a DataLoader can run it in its worker threads). */
export function transformFromSpec(spec: TransformSpec): Transform {
  const fn = build(spec);
  return Object.assign(fn, { spec });
}

function build(spec: TransformSpec): (img: Image, rng: Rng) => Image {
  switch (spec.kind) {
    case 'normalize':
      return (img) => normalize(img, spec.mean, spec.std);
    case 'crop_flip':
      return (img, rng) => normalize(randomHorizontalFlip(randomCrop(img, spec.size, rng, spec.padding), rng), spec.mean, spec.std);
    case 'imagenet_train': {
      const o = spec.options;
      const size = o.size ?? 224;
      const mean = o.mean ?? IMAGENET_MEAN;
      // timm: RandAugment's geometric ops use the train interpolation and fill with the mean colour
      const ra = o.randAugment ? randAugment(o.randAugment, { fill: mean.map((m) => Math.round(255 * m)), resample: o.interpolation ?? 'bilinear' }) : null;
      const reprob = o.randomErasing ?? 0;
      return (img, rng) => {
        const c = randomResizedCrop(img, size, rng, { scale: o.scale, ratio: o.ratio, interpolation: o.interpolation ?? 'bilinear' });
        const f = randomHorizontalFlip(c, rng);
        const x = normalize(ra ? ra(f, rng) : f, mean, o.std ?? IMAGENET_STD);
        return reprob > 0 ? randomErasing(x, rng, { p: reprob }) : x;
      };
    }
    case 'imagenet_eval': {
      const o = spec.options;
      const size = o.size ?? 224;
      const short = Math.floor(size / (o.cropPct ?? 0.875));
      return (img) => normalize(centerCrop(resize(img, short, o.interpolation ?? 'bilinear'), size), o.mean ?? IMAGENET_MEAN, o.std ?? IMAGENET_STD);
    }
    case 'resized': {
      const then = build(spec.then);
      const s = spec.size;
      return (img, rng) => then(img.height === s && img.width === s ? img : resizeTo(img, s, s, spec.interpolation), rng);
    }
    default:
      throw new Error(`transform spec: unknown kind '${(spec as { kind: string }).kind}' (expected normalize, crop_flip, imagenet_train, imagenet_eval, resized)`);
  }
}

/** Resizes every image to size × size (bilinear unless named), then applies `t`; keeps a spec when `t` has one. */
export function resizedTransform(size: number, t: Transform, interpolation: Interpolation = 'bilinear'): Transform {
  if (t.spec) return transformFromSpec({ kind: 'resized', size, interpolation, then: t.spec });
  return (img: Image, rng: Rng) => t(img.height === size && img.width === size ? img : resizeTo(img, size, size, interpolation), rng);
}

export function normalizeTransform(mean: readonly number[], std: readonly number[]): Transform {
  return transformFromSpec({ kind: 'normalize', mean, std });
}

/** RandomCrop(size, padding) + horizontal flip + normalise. */
export function cropFlipTransform(size: [number, number], padding: number, mean: readonly number[], std: readonly number[]): Transform {
  return transformFromSpec({ kind: 'crop_flip', size, padding, mean, std });
}

export function cifarTrainTransform(mean: readonly number[] = CIFAR10_MEAN, std: readonly number[] = CIFAR10_STD): Transform {
  return cropFlipTransform([32, 32], 4, mean, std);
}

export function cifarEvalTransform(mean: readonly number[] = CIFAR10_MEAN, std: readonly number[] = CIFAR10_STD): Transform {
  return normalizeTransform(mean, std);
}

export function imagenetTrainTransform(o: ImagenetTransformOptions = {}): Transform {
  return transformFromSpec({ kind: 'imagenet_train', options: o });
}

export function imagenetEvalTransform(o: ImagenetTransformOptions = {}): Transform {
  return transformFromSpec({ kind: 'imagenet_eval', options: o });
}

/** PiX README recipe (timm Mixup defaults): CutMix α 1 or Mixup α 0.15 (switch 0.5), smoothing 0.1 in the targets. */
export function pixMixOptions(numClasses = 1000): MixOptions {
  return { numClasses, mixupAlpha: 0.15, cutmixAlpha: 1.0, prob: 1, switchProb: 0.5, labelSmoothing: 0.1, pairing: 'flip' };
}

/** CHEX (NVIDIA recipe): mixup α 0.2 with a random permutation; label smoothing 0.1 is applied in the loss, not here. */
export function chexMixOptions(numClasses = 1000): MixOptions {
  return { numClasses, mixupAlpha: 0.2, cutmixAlpha: 0, prob: 1, labelSmoothing: 0, pairing: 'permute' };
}
