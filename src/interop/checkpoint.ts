// Helpers over loaded checkpoints: find the state dict, strip 'module.' prefixes, print a summary.
import { NumpyArray, PyFloat, PyGlobal, isPlainObject, isTuple, type PyValue } from './py.js';
import { TorchTensor } from './tensor.js';

/** Keys searched, in order, for the state dict inside a checkpoint dict. */
export const STATE_DICT_KEYS = ['state_dict', 'model', 'model_ema', 'net'] as const;

function entries(v: PyValue): [string, PyValue][] | null {
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [String(k), x]);
  if (isPlainObject(v)) return Object.entries(v);
  return null;
}

function isTensorDict(v: PyValue): boolean {
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
  if (es === null) throw new Error(`flattenStateDict: expected a dict checkpoint, got ${obj === null ? 'None' : typeof obj}`);
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
  throw new Error(`flattenStateDict: no state dict found: expected a dict of tensors or one of the keys ` +
    `${STATE_DICT_KEYS.join(', ')} (keys: ${es.map(([k]) => k).slice(0, 20).join(', ')})`);
}

/** Remove a leading `prefix` (default 'module.') from every key that has it. */
export function stripPrefix(keys: readonly string[], prefix?: string): string[];
export function stripPrefix<V>(dict: Map<string, V>, prefix?: string): Map<string, V>;
export function stripPrefix<V>(x: readonly string[] | Map<string, V>, prefix = 'module.'): string[] | Map<string, V> {
  const strip = (k: string): string => (k.startsWith(prefix) ? k.slice(prefix.length) : k);
  if (Array.isArray(x)) return (x as readonly string[]).map(strip);
  const out = new Map<string, V>();
  for (const [k, v] of x as Map<string, V>) {
    const s = strip(k);
    if (out.has(s)) throw new Error(`stripPrefix: keys '${k}' and '${prefix}${s}'/'${s}' collide after removing '${prefix}'`);
    out.set(s, v);
  }
  return out;
}

function fmtScalar(v: PyValue): string | null {
  if (v === null) return 'None';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return `${v}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  if (v instanceof PyFloat) return String(v.value);
  if (v instanceof PyGlobal) return v.toString();
  if (v instanceof TorchTensor && v.numel === 1) return `tensor(${String(v.data[0])}, ${v.dtype})`;
  return null;
}

function fmtShort(v: PyValue, depth = 0): string {
  const s = fmtScalar(v);
  if (s !== null) return s;
  if (v instanceof TorchTensor) return `tensor ${v.dtype} [${v.shape.join(', ')}]`;
  if (v instanceof NumpyArray) return `ndarray ${v.descr} [${v.shape.join(', ')}]`;
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  if (Array.isArray(v)) {
    const [open, close] = isTuple(v) ? ['(', ')'] : ['[', ']'];
    if (depth > 2) return `${open}…${v.length}${close}`;
    const items = (v as PyValue[]).slice(0, 16).map((x) => fmtShort(x, depth + 1));
    return `${open}${items.join(', ')}${v.length > 16 ? `, … (${v.length} items)` : ''}${close}`;
  }
  if (v instanceof Set) return `set(${v.size})`;
  const es = entries(v);
  if (es) return `${v instanceof Map ? 'dict' : 'namespace'}(${es.length} keys)`;
  return String(v);
}

export interface DescribeOptions {
  /** tensors listed before eliding (default 50) */
  maxTensors?: number;
}

/** A printable summary: top-level keys, metadata scalars, state-dict tensors with dtype and shape, totals. */
export function describeCheckpoint(obj: PyValue, opts: DescribeOptions = {}): string {
  const maxTensors = opts.maxTensors ?? 50;
  const lines: string[] = [];
  const top = entries(obj);
  if (top === null) return `checkpoint: ${fmtShort(obj)}`;
  const bare = isTensorDict(obj);
  lines.push(bare ? 'checkpoint: bare state dict' : `checkpoint: ${obj instanceof Map ? 'dict' : 'namespace'} with ${top.length} keys`);
  for (const [k, v] of bare ? [] : top) {
    const sub = entries(v);
    if (sub && isPlainObject(v)) {
      lines.push(`  ${k}: namespace`);
      for (const [a, x] of sub) lines.push(`    ${a} = ${fmtShort(x)}`);
    } else if (sub && !isTensorDict(v)) {
      lines.push(`  ${k}: dict(${sub.length} keys: ${sub.slice(0, 8).map(([a]) => a).join(', ')}${sub.length > 8 ? ', …' : ''})`);
    } else if (!sub || !isTensorDict(v)) {
      lines.push(`  ${k} = ${fmtShort(v)}`);
    } else {
      lines.push(`  ${k}: state dict (${sub.length} entries)`);
    }
  }
  let sd: Map<string, TorchTensor> | null = null;
  try {
    sd = flattenStateDict(obj);
  } catch {
    sd = null;
  }
  if (sd) {
    let params = 0;
    const dtypes = new Map<string, number>();
    for (const t of sd.values()) {
      params += t.numel;
      dtypes.set(t.dtype, (dtypes.get(t.dtype) ?? 0) + 1);
    }
    const prefixed = [...sd.keys()].filter((k) => k.startsWith('module.')).length;
    lines.push(`state dict: ${sd.size} tensors, ${params} values (${[...dtypes].map(([d, n]) => `${n} ${d}`).join(', ')})` +
      (prefixed ? `, ${prefixed} keys with 'module.' prefix` : ''));
    let i = 0;
    for (const [k, t] of sd) {
      if (i++ >= maxTensors) {
        lines.push(`  … ${sd.size - maxTensors} more`);
        break;
      }
      lines.push(`  ${k}: ${t.dtype} [${t.shape.join(', ')}]${t.requiresGrad ? ' requires_grad' : ''}`);
    }
  }
  return lines.join('\n');
}
