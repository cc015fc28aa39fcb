// A printable summary of a loaded PyTorch checkpoint (for `chanlab inspect`): top-level keys, metadata scalars,
// state-dict tensors with dtype and shape, totals.
import { NumpyArray, PyFloat, PyGlobal, isPlainObject, isTuple, type PyValue } from '../interop/py.js';
import { TorchTensor } from '../interop/tensor.js';
import { entries, flattenStateDict, isTensorDict, MODULE_PREFIX } from './state_dict.js';

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
    const prefixed = [...sd.keys()].filter((k) => k.startsWith(MODULE_PREFIX)).length;
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
