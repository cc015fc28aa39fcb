// A per-sample transform, and a transform as data: what a DataLoader sends to its worker threads, which rebuild the
// same transform from it (presets.ts: transformFromSpec). Every preset transform carries its spec (`transform.spec`).
import type { Rng } from '../core/rng.js';
import type { Image } from './image.js';
import type { Interpolation } from './resize.js';

/** A per-sample transform; `spec` (set by the presets) lets a loader with workers run it in its worker threads. */
export interface Transform {
  (img: Image, rng: Rng): Image;
  spec?: TransformSpec;
}

export interface ImagenetTransformOptions {
  size?: number;
  interpolation?: Interpolation;
  mean?: readonly number[];
  std?: readonly number[];
  scale?: [number, number];
  ratio?: [number, number];
  /** eval: resize to ⌊size / cropPct⌋ before the centre crop (default 0.875 → 256 for 224) */
  cropPct?: number;
  /** train: timm RandAugment string (e.g. 'rand-m7-mstd0.5-inc1'), applied after the flip; fill = round(255·mean) */
  randAugment?: string | null;
  /** train: RandomErasing probability (mode 'pixel', one box), applied after normalising; 0 = off */
  randomErasing?: number;
}

export type TransformSpec =
  | { kind: 'normalize'; mean: readonly number[]; std: readonly number[] }
  /** RandomCrop([h, w], padding) + horizontal flip + normalise (CIFAR, DGC) */
  | { kind: 'crop_flip'; size: [number, number]; padding: number; mean: readonly number[]; std: readonly number[] }
  /** RandomResizedCrop + flip (+ RandAugment) + normalise (+ RandomErasing) */
  | { kind: 'imagenet_train'; options: ImagenetTransformOptions }
  /** Resize + CenterCrop + normalise */
  | { kind: 'imagenet_eval'; options: ImagenetTransformOptions }
  /** Resize to size × size (images already that size pass unchanged), then `then` (e.g. Fashion-MNIST at 56²) */
  | { kind: 'resized'; size: number; interpolation: Interpolation; then: TransformSpec };

/** [H, W] of every output of a spec, or null when it keeps the input's size. */
export function specOutputSize(spec: TransformSpec): [number, number] | null {
  switch (spec.kind) {
    case 'imagenet_train':
    case 'imagenet_eval': {
      const s = spec.options.size ?? 224;
      return [s, s];
    }
    case 'crop_flip':
      return spec.size;
    case 'normalize':
      return null;
    case 'resized':
      return specOutputSize(spec.then) ?? [spec.size, spec.size];
  }
}
