// The model registry: stable snake_case names → constructor + default config (timm-style).
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
}

const registry = new Map<string, ModelEntry>();

export function registerModel<C extends ModelConfig>(entry: ModelEntry<C>): void {
  if (!/^[a-z0-9_]+$/.test(entry.name)) throw new Error(`registerModel: name '${entry.name}' must be snake_case`);
  if (registry.has(entry.name)) throw new Error(`registerModel: '${entry.name}' is already registered`);
  registry.set(entry.name, entry as unknown as ModelEntry);
}

export function listModels(): ModelEntry[] {
  return [...registry.values()];
}

export function getModelEntry(name: string): ModelEntry {
  const e = registry.get(name);
  if (!e) {
    const names = [...registry.keys()];
    const close = names.filter((n) => n.includes(name) || name.includes(n)).slice(0, 5);
    throw new Error(`unknown model '${name}'${close.length ? `; did you mean ${close.join(', ')}?` : ''} ` +
      `(known: ${names.join(', ')}; see \`chanlab models\`)`);
  }
  return e;
}

/** Builds a registered model; `overrides` are merged over its default config (unknown keys are errors). */
export function createModel(name: string, overrides: Partial<ModelConfig> = {}): Module {
  const entry = getModelEntry(name);
  for (const k of Object.keys(overrides)) {
    if (!(k in entry.defaultConfig)) {
      throw new Error(`createModel(${name}): unknown config key '${k}' (expected one of ${Object.keys(entry.defaultConfig).join(', ')})`);
    }
  }
  return entry.create({ ...entry.defaultConfig, ...overrides });
}
