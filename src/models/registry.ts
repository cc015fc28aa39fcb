// Model registry entries (timm-style): a stable snake_case name next to its constructor and default config.
// Each model family exports a literal list of entries (`TORCHVISION_MODELS`, `PIX_MODELS`, …); `src/zoo` joins
// the lists and builds models by name. Nothing registers itself on import.
import type { Module } from '../nn/module.js';

export interface ModelConfig {
  numClasses: number;
  /** Input channels (3 for ImageNet/CIFAR, 1 for Fashion-MNIST). */
  inChannels: number;
  [key: string]: unknown;
}

export interface ModelEntry<C extends ModelConfig = ModelConfig> {
  name: string;
  description: string;
  /** Which paper/method family (torchvision, pix, dgc, chex). */
  family: string;
  defaultConfig: C;
  /** Input resolution the default config expects (for FLOP counts and summaries). */
  defaultInputSize: number;
  create(config: C): Module;
  /**
   * For a dynamic model (DGC): the static network it prunes, the same structure with plain convolutions, as a
   * registry name and the config for it from this model's config (latency and FLOPs comparisons, `denseTwin` in zoo).
   */
  denseTwin?: { model: string; config(c: C): Partial<ModelConfig> };
}

/** Checks an entry's name and erases its config type so entries of different families share one list. */
export function defineModel<C extends ModelConfig>(entry: ModelEntry<C>): ModelEntry {
  if (!/^[a-z0-9_]+$/.test(entry.name)) throw new Error(`defineModel: name '${entry.name}' must be snake_case ([a-z0-9_]+)`);
  return entry as unknown as ModelEntry;
}
