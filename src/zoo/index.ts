// The model zoo: every registered model, by name. Each family's list sits next to its constructors (timm's
// `@register_model`); this file only joins the lists. Adding a family = one import and one spread below.
import { CHEX_COMPACT_MODELS } from '../models/chex_resnet.js';
import type { ModelConfig, ModelEntry } from '../models/registry.js';
import { TORCHVISION_MODELS } from '../models/torchvision.js';
import type { Module } from '../nn/module.js';
import { DGC_MODELS } from '../methods/dgc/models.js';
import { PIX_MODELS } from '../methods/pix/models.js';

export type { ModelConfig, ModelEntry } from '../models/registry.js';

const ALL: readonly ModelEntry[] = [...TORCHVISION_MODELS, ...PIX_MODELS, ...CHEX_COMPACT_MODELS, ...DGC_MODELS];

const BY_NAME: ReadonlyMap<string, ModelEntry> = (() => {
  const map = new Map<string, ModelEntry>();
  for (const e of ALL) {
    if (map.has(e.name)) throw new Error(`model zoo: '${e.name}' is defined twice (families ${map.get(e.name)!.family}, ${e.family})`);
    map.set(e.name, e);
  }
  return map;
})();

export function listModels(): ModelEntry[] {
  return [...ALL];
}

export function hasModel(name: string): boolean {
  return BY_NAME.has(name);
}

export function getModelEntry(name: string): ModelEntry {
  const e = BY_NAME.get(name);
  if (!e) {
    const names = [...BY_NAME.keys()];
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
