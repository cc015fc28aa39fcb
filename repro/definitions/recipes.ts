// Training recipes of the suite. small: the `quick` preset's Fashion-MNIST recipe (SGD Nesterov, cosine, label
// smoothing 0.1, batch 256) with the row's model and seed; full: the paper's ImageNet recipe (`pix-imagenet-sgd`).
import { loadConfig, type TrainConfig } from '../../src/train/config.js';
import type { ModelRef } from './counts.js';

/**
 * Fashion-MNIST training of `ref` for `epochs` epochs (checkpoint every 100 steps, so a killed seed loses little);
 * `trainLimit` uses only the first N training images (quick tier).
 */
export function fashionMnistRecipe(name: string, ref: ModelRef, seed: number, epochs: number, trainLimit?: number): TrainConfig {
  const q = loadConfig('quick');
  return {
    ...q, name, description: `chanlab repro: ${name}, seed ${seed}`, notes: undefined, model: ref.model, modelConfig: ref.modelConfig,
    data: { ...q.data, ...(trainLimit ? { trainLimit } : {}) }, epochs, seed, evalEvery: 0, logEvery: 50, checkpointEvery: 100,
  };
}

/**
 * The small tier's Fashion-MNIST budget per training run: 2 epochs over the first 40,000 training images (the full
 * 10,000-image test set), 5 seeds per row (paired Δ cells need several pairs for a useful interval). The whole small
 * tier of the suite fits in about 4 hours on 2 cores with the native kernels (`scripts/regenerate-results.sh small`,
 * two processes; the arithmetic is in the README's reproduction section), minutes on a 16-core machine.
 */
export const SMALL_TIER = { epochs: 2, trainLimit: 40_000, seeds: 5 } as const;

/** The paper's ImageNet recipe (supplement: SGD Nesterov, lr 0.1, cosine, 120 epochs) for `ref`. */
export function imagenetRecipe(name: string, ref: ModelRef, seed: number): TrainConfig {
  const c = loadConfig('pix-imagenet-sgd');
  return { ...c, name, model: ref.model, modelConfig: ref.modelConfig, seed };
}

/** The small ResNet of the small tier: bottleneck stages 16/32/64 (outputs 64/128/256), two blocks each, ImageNet stem. */
export const SMALL_RESNET: ModelRef = { model: 'resnet8_small', modelConfig: { block: 'bottleneck', layers: [2, 2, 2], widths: [16, 32, 64], stem: 'imagenet' } };

/** The same network with PiX in place of every squeeze 1×1 conv (ζ 1/2/2 first blocks, 4 elsewhere: equal widths). */
export function smallPiX(variant: Record<string, unknown> = {}): ModelRef {
  return { model: 'pix_resnet29_small', modelConfig: { layers: [2, 2, 2], stem: 'imagenet', ...variant } };
}

/** A preset (`configs/<preset>.json`) as a seeded repro run: its own recipe, checkpoints every 100 steps, no per-epoch test. */
export function presetRecipe(preset: string, name: string, seed: number, overrides: Partial<TrainConfig> = {}): TrainConfig {
  const c = loadConfig(preset);
  return { ...c, name, description: `chanlab repro: ${name} (preset ${preset}), seed ${seed}`, notes: undefined, seed, evalEvery: 0, logEvery: 50, checkpointEvery: 100, ...overrides };
}

/** `config` without CHEX exploration: the same recipe training the dense network. */
export function withoutChex(config: TrainConfig): TrainConfig {
  const { method: _m, chex: _c, ...dense } = config;
  return dense;
}
