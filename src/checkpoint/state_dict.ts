// The state dict inside a loaded PyTorch checkpoint: where to find it (flattenStateDict) and chanlab's one rule for
// DataParallel-style key prefixes (stripPrefix).
import { describe } from '../interop/pickle.js';
import { isPlainObject, type PyValue } from '../interop/py.js';
import { TorchTensor } from '../interop/tensor.js';

/** Keys searched, in order, for the state dict inside a checkpoint dict. */
export const STATE_DICT_KEYS = ['state_dict', 'model', 'model_ema', 'net'] as const;

export function entries(v: PyValue): [string, PyValue][] | null {
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [String(k), x]);
  if (isPlainObject(v)) return Object.entries(v);
  return null;
}

export function isTensorDict(v: PyValue): boolean {
  const es = entries(v);
  return es !== null && es.length > 0 && es.some(([, x]) => x instanceof TorchTensor) &&
    es.every(([, x]) => x instanceof TorchTensor || x === null || entries(x) !== null);
}

function flattenInto(out: Map<string, TorchTensor>, v: PyValue, prefix: string): void {
  for (const [k, x] of entries(v) ?? []) {
    const key = prefix + k;
    if (x instanceof TorchTensor) {
      if (out.has(key)) throw new Error(`flattenStateDict: duplicate key '${key}'`);
      out.set(key, x);
    } else if (entries(x) !== null) {
      flattenInto(out, x, `${key}.`);
    }
  }
}

/**
 * The state dict inside a checkpoint as a flat `key → tensor` Map (insertion order kept). Accepts a bare state dict
 * or a dict holding one under `key` (default: the first of STATE_DICT_KEYS that is present); nested dicts are joined
 * with '.', non-tensor leaves are skipped.
 */
export function flattenStateDict(obj: PyValue, key?: string): Map<string, TorchTensor> {
  const es = entries(obj);
  if (es === null) throw new Error(`flattenStateDict: expected a dict checkpoint (a state dict, or a dict holding one), got ${describe(obj)}`);
  const keys = key !== undefined ? [key] : STATE_DICT_KEYS;
  for (const k of keys) {
    const hit = es.find(([name]) => name === k);
    if (hit && entries(hit[1]) !== null) {
      const inner = entries(hit[1]) ?? [];
      // e.g. {'model': {'state_dict': ...}}
      if (!isTensorDict(hit[1]) && inner.some(([n]) => (STATE_DICT_KEYS as readonly string[]).includes(n))) {
        return flattenStateDict(hit[1]);
      }
      const out = new Map<string, TorchTensor>();
      flattenInto(out, hit[1], '');
      return out;
    }
  }
  if (key !== undefined) throw new Error(`flattenStateDict: key '${key}' not found (keys: ${es.map(([k]) => k).join(', ')})`);
  if (isTensorDict(obj)) {
    const out = new Map<string, TorchTensor>();
    flattenInto(out, obj, '');
    return out;
  }
  const tensors = es.filter(([, x]) => x instanceof TorchTensor).length;
  const odd = es.filter(([, x]) => !(x instanceof TorchTensor || x === null || entries(x) !== null));
  if (tensors > 0 && odd.length > 0) {
    // a state dict with a stray entry: name it rather than saying no state dict was found
    throw new Error(`flattenStateDict: entry '${odd[0]![0]}' of the state dict is ${describe(odd[0]![1])}, expected a tensor ` +
      `(${tensors} of ${es.length} entries are tensors${odd.length > 1 ? `; also not tensors: ${odd.slice(1, 5).map(([k]) => k).join(', ')}` : ''})`);
  }
  throw new Error(`flattenStateDict: no state dict found: expected a dict of tensors or one of the keys ` +
    `${STATE_DICT_KEYS.join(', ')} (keys: ${es.map(([k]) => k).slice(0, 20).join(', ')})`);
}

/** The prefix DataParallel / DistributedDataParallel put before every key. */
export const MODULE_PREFIX = 'module.';

/**
 * chanlab's one prefix rule (used by every checkpoint reader): a key loses every leading copy of `prefix` (default
 * 'module.'), so `module.module.fc.weight` → `fc.weight`; keys without it, and copies later in a key
 * (`x.module.c`), are left alone. Two keys that become equal are an error, never a silent overwrite. An empty prefix
 * strips nothing.
 */
export function stripKey(key: string, prefix = MODULE_PREFIX): string {
  let k = key;
  while (prefix !== '' && k.startsWith(prefix)) k = k.slice(prefix.length);
  return k;
}

/** stripKey applied to a key list, or to a Map's keys (insertion order kept; colliding keys throw). */
export function stripPrefix(keys: readonly string[], prefix?: string): string[];
export function stripPrefix<V>(dict: Map<string, V>, prefix?: string): Map<string, V>;
export function stripPrefix<V>(x: readonly string[] | Map<string, V>, prefix = MODULE_PREFIX): string[] | Map<string, V> {
  if (Array.isArray(x)) return (x as readonly string[]).map((k) => stripKey(k, prefix));
  const out = new Map<string, V>();
  const from = new Map<string, string>();
  for (const [k, v] of x as Map<string, V>) {
    const s = stripKey(k, prefix);
    if (out.has(s)) throw new Error(`stripPrefix: keys '${from.get(s)}' and '${k}' collide after removing '${prefix}' (both give '${s}')`);
    out.set(s, v);
    from.set(s, k);
  }
  return out;
}
