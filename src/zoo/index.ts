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
  return entry.create(configWith(entry, overrides, 'createModel'));
}

/** The entry's default config with `overrides` merged over it (unknown keys are errors). */
function configWith(entry: ModelEntry, overrides: Partial<ModelConfig>, owner: string): ModelConfig {
  for (const k of Object.keys(overrides)) {
    if (!(k in entry.defaultConfig)) {
      throw new Error(`${owner}(${entry.name}): unknown config key '${k}' (expected one of ${Object.keys(entry.defaultConfig).join(', ')})`);
    }
  }
  return { ...entry.defaultConfig, ...overrides } as ModelConfig;
}

/**
 * The dense twin of a dynamic model (`ModelEntry.denseTwin`): the static network it prunes, built from the dynamic
 * model's config with `overrides` applied, and its registry name. Errors for a model without one.
 */
export function createDenseTwin(name: string, overrides: Partial<ModelConfig> = {}): { name: string; model: Module } {
  const entry = getModelEntry(name);
  if (!entry.denseTwin) {
    const have = ALL.filter((e) => e.denseTwin).map((e) => e.name);
    throw new Error(`createDenseTwin: model '${name}' has no dense twin (models with one: ${have.join(', ')})`);
  }
  const twin = entry.denseTwin.model;
  return { name: twin, model: createModel(twin, entry.denseTwin.config(configWith(entry, overrides, 'createDenseTwin'))) };
}
