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

/**
 * Checks config overrides against the model's defaults before anything is built, naming the key (`where.widths[1]`):
 * known keys only; a value of the default's type (a default null takes anything); numClasses and inChannels, and the
 * items of a list whose default items are positive integers (layer widths, block counts), positive integers.
 */
export function checkModelConfig(name: string, overrides: Record<string, unknown>, where = `createModel(${name})`): void {
  const entry = getModelEntry(name);
  const bad = (key: string, expected: string, v: unknown) => new Error(`${where}.${key}: expected ${expected} (model '${name}'; default ` +
    `${JSON.stringify(entry.defaultConfig[key.replace(/\[\d+\]$/, '')])}), got ${JSON.stringify(v)}`);
  const positiveInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in entry.defaultConfig)) {
      throw new Error(`${where}: unknown config key '${k}' for model '${name}' (expected one of ${Object.keys(entry.defaultConfig).join(', ')})`);
    }
    const d = entry.defaultConfig[k] as unknown;
    if (d === null || v === undefined) continue;
    if (Array.isArray(d)) {
      if (!Array.isArray(v)) throw bad(k, 'a list', v);
      const words = d.filter((x) => typeof x === 'string');
      const counts = d.length > 0 && d.every((x) => positiveInt(x) || words.includes(x));
      v.forEach((x, i) => {
        if (counts && !(positiveInt(x) || words.includes(x))) throw bad(`${k}[${i}]`, `a positive integer${words.length ? ` or ${[...new Set(words)].map((w) => `'${w}'`).join(', ')}` : ''}`, x);
        if (!counts && typeof x === 'number' && !Number.isFinite(x)) throw bad(`${k}[${i}]`, 'a finite number', x);
      });
    } else if (typeof d === 'number') {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(k, 'a finite number', v);
      if ((k === 'numClasses' || k === 'inChannels') && !positiveInt(v)) throw bad(k, 'a positive integer', v);
    } else if (typeof v !== typeof d) throw bad(k, `a ${typeof d}`, v);
  }
}

/** Builds a registered model; `overrides` are merged over its default config (checkModelConfig: errors name the key). */
export function createModel(name: string, overrides: Partial<ModelConfig> = {}): Module {
  const entry = getModelEntry(name);
  checkModelConfig(name, overrides);
  return entry.create({ ...entry.defaultConfig, ...overrides });
}
