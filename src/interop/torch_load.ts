// loadTorchFile: read a `torch.save` file (zip format of PyTorch ≥ 1.6, or the legacy pickle-sequence format) into
// plain JS values (py.ts) with tensors as contiguous TorchTensor copies. Only allow-listed globals are accepted
// (pickle.ts); nothing is executed.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { checkZipCrcs } from './zip_check.js';
import { PickleError, describe, storageDtype, unpickle } from './pickle.js';
import { type PyValue } from './py.js';
import {
  DTYPES, TorchStorage, TorchTensor, allocData, byteswap, contiguousStride, numelOf, tensorFromStorage,
} from './tensor.js';

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

export class TorchLoadError extends Error {
  override name = 'TorchLoadError';
}

export type TorchFileFormat = 'zip' | 'legacy';

/**
 * The torch.save format from a file's first bytes (4 suffice): 'zip' (PyTorch >= 1.6: a zip archive, 'PK\x03\x04'),
 * 'legacy' (a pickle sequence: PROTO 0x80 with protocol 2 to 5, then the magic number as LONG1 0x8a, or a FRAME
 * 0x95 first at protocol 4+), or null (neither, e.g. a chanlab safetensors checkpoint, whose 8-byte header length may
 * start with 0x80 and a byte 2–5 but has 0x8a / 0x95 in its third byte only from a 9 MB header on). The one
 * sniffer for PyTorch files: the loaders and the commands that accept both kinds use it.
 */
export function torchFileFormat(head: Uint8Array): TorchFileFormat | null {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'zip';
  if (head.length >= 3 && head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5 && (head[2] === 0x8a || (head[1]! >= 4 && head[2] === 0x95))) {
    return 'legacy';
  }
  return null;
}

/** Whether the file at `path` is a torch.save file (torchFileFormat of its first 4 bytes is not null). */
export function isTorchFile(path: string): boolean {
  const head = new Uint8Array(4);
  const fd = openSync(path, 'r');
  try {
    return torchFileFormat(head.subarray(0, readSync(fd, head, 0, 4, 0))) !== null;
  } finally {
    closeSync(fd);
  }
}

/** Load a torch.save file from a path or its bytes. */
export function loadTorchFile(src: string | Uint8Array): PyValue {
  const what = typeof src === 'string' ? src : '<bytes>';
  const bytes = typeof src === 'string' ? new Uint8Array(readFileSync(src)) : src;
  const format = torchFileFormat(bytes);
  if (format === 'zip') return loadZip(bytes, what);
  // any other pickle too: the legacy loader says what is wrong with it (no magic number, a refused global, …)
  if (format === 'legacy' || bytes[0] === 0x80) return loadLegacy(bytes, what);
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new TorchLoadError(`${what}: not a PyTorch file: expected a zip archive ('PK\\x03\\x04') or a legacy ` +
    `torch.save pickle (0x80 0x02...), got bytes [${head}]`);
}

function parsePid(pid: PyValue, legacy: boolean): { key: string; dtype: TorchStorage['dtype']; numel: number; view: PyValue } {
  if (!Array.isArray(pid) || pid.length < 5) throw new TorchLoadError(`persistent id: expected a tuple, got ${describe(pid)}`);
  const [kind, cls, key, , numel, view] = pid as PyValue[];
  if (kind === 'module') {
    throw new TorchLoadError('the file contains a pickled nn.Module class (torch.save(model)); only state dicts and ' +
      'plain containers can be loaded — save model.state_dict() instead');
  }
  if (kind !== 'storage') throw new TorchLoadError(`persistent id: unknown kind ${describe(kind)}`);
  if (typeof key !== 'string') throw new TorchLoadError(`persistent id: storage key must be a str, got ${describe(key)}`);
  if (typeof numel !== 'number' || !Number.isInteger(numel) || numel < 0) {
    throw new TorchLoadError(`persistent id: storage size must be a non-negative int, got ${describe(numel)}`);
  }
  return { key, dtype: storageDtype(cls), numel, view: legacy ? (view ?? null) : null };
}

function wrap<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof PickleError || e instanceof TorchLoadError) {
      e.message = `${what}: ${e.message}`;
      throw e;
    }
    throw e;
  }
}

// ---- zip format ----------------------------------------------------------------------------------------------------

function hasEndOfCentralDirectory(b: Uint8Array): boolean {
  const stop = Math.max(0, b.length - 22 - 0xffff);
  for (let i = b.length - 22; i >= stop; i--) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 0x05 && b[i + 3] === 0x06) return true;
  }
  return false;
}

function loadZip(bytes: Uint8Array, what: string): PyValue {
  if (!hasEndOfCentralDirectory(bytes)) {
    throw new TorchLoadError(`${what}: truncated or corrupt zip archive (no end-of-central-directory record; ` +
      `the file is ${bytes.length} bytes — was the download or save interrupted?)`);
  }
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new TorchLoadError(`${what}: corrupt zip archive (${(e as Error).message})`);
  }
  try {
    checkZipCrcs(bytes, files, what);
  } catch (e) {
    throw new TorchLoadError((e as Error).message);
  }
  const pkls = Object.keys(files).filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (pkls.length !== 1) {
    throw new TorchLoadError(`${what}: zip archive is not a torch.save file: expected one '<archive>/data.pkl', found ` +
      `${pkls.length} (entries: ${Object.keys(files).slice(0, 8).join(', ')})`);
  }
  const prefix = pkls[0].slice(0, -'data.pkl'.length);
  const bo = files[`${prefix}byteorder`];
  const byteorder = bo ? new TextDecoder().decode(bo).trim() : 'little';
  if (byteorder !== 'little' && byteorder !== 'big') throw new TorchLoadError(`${what}: unknown byteorder '${byteorder}'`);

  const storages = new Map<string, TorchStorage>();
  const persistentLoad = (pid: PyValue): PyValue => {
    const { key, dtype, numel } = parsePid(pid, false);
    const cached = storages.get(key);
    if (cached) return cached;
    const rec = files[`${prefix}data/${key}`];
    if (!rec) throw new TorchLoadError(`storage record '${prefix}data/${key}' is missing from the archive`);
    const need = numel * DTYPES[dtype].itemSize;
    if (rec.length < need) {
      throw new TorchLoadError(`storage record '${prefix}data/${key}' is truncated: ${rec.length} bytes, ` +
        `${numel} ${dtype} elements need ${need}`);
    }
    const st = new TorchStorage(key, dtype, numel);
    st.bytes = rec.subarray(0, need);
    if (byteorder === 'big') {
      st.bytes = st.bytes.slice();
      byteswap(st.bytes, DTYPES[dtype].itemSize);
    }
    storages.set(key, st);
    return st;
  };
  const rebuildTensor = (storage: PyValue, offset: number, size: number[], stride: number[], rg: boolean): TorchTensor => {
    if (!(storage instanceof TorchStorage)) throw new TorchLoadError(`tensor rebuild: expected a storage, got ${describe(storage)}`);
    return tensorFromStorage(storage, offset, size, stride, rg);
  };
  return wrap(what, () => unpickle(files[pkls[0]], { persistentLoad, rebuildTensor }).value);
}

// ---- legacy format -------------------------------------------------------------------------------------------------

interface Pending {
  tensor: TorchTensor;
  storage: TorchStorage;
  viewOffset: number;
  offset: number;
  size: number[];
  stride: number[];
}

function loadLegacy(bytes: Uint8Array, what: string): PyValue {
  return wrap(what, () => {
    const magic = unpickle(bytes);
    if (magic.value !== LEGACY_MAGIC) {
      throw new TorchLoadError(`not a PyTorch file: the pickle does not start with the torch.save magic number ` +
        `(got ${describe(magic.value)})`);
    }
    const proto = unpickle(bytes, { offset: magic.end });
    if (proto.value !== LEGACY_PROTOCOL) {
      throw new TorchLoadError(`unsupported legacy torch.save protocol ${describe(proto.value)} (expected ${LEGACY_PROTOCOL})`);
    }
    const sys = unpickle(bytes, { offset: proto.end });
    const little = sys.value instanceof Map ? sys.value.get('little_endian') !== false : true;

    const roots = new Map<string, TorchStorage>();
    const pending: Pending[] = [];
    // Legacy ids may name a view of a root storage: (view_key, element offset, view_size).
    const views = new Map<string, { root: TorchStorage; offset: number }>();
    const persistentLoad = (pid: PyValue): PyValue => {
      const { key, dtype, numel, view } = parsePid(pid, true);
      let root = roots.get(key);
      if (!root) {
        root = new TorchStorage(key, dtype, numel);
        roots.set(key, root);
      }
      if (view === null) return root;
      const [vkey, voff, vsize] = Array.isArray(view) ? (view as PyValue[]) : [];
      if (typeof vkey !== 'string' || typeof voff !== 'number' || typeof vsize !== 'number') {
        throw new TorchLoadError(`persistent id: malformed view metadata ${describe(view)}`);
      }
      const v = new TorchStorage(vkey, dtype, vsize);
      views.set(vkey, { root, offset: voff });
      return v;
    };
    const rebuildTensor = (storage: PyValue, offset: number, size: number[], stride: number[], rg: boolean): TorchTensor => {
      if (!(storage instanceof TorchStorage)) throw new TorchLoadError(`tensor rebuild: expected a storage, got ${describe(storage)}`);
      const view = views.get(storage.key);
      const base = view ? view.root : storage;
      // Filled in once the raw storages (after the pickles) have been read.
      const t = Object.create(TorchTensor.prototype) as TorchTensor;
      Object.assign(t, { dtype: base.dtype, shape: [...size], stride: contiguousStride(size),
        data: allocData(base.dtype, 0), requiresGrad: rg });
      pending.push({ tensor: t, storage: base, viewOffset: view ? view.offset : 0, offset, size, stride });
      return t;
    };
    const main = unpickle(bytes, { offset: sys.end, persistentLoad, rebuildTensor });
    const keys = unpickle(bytes, { offset: main.end });
    if (!Array.isArray(keys.value) || !(keys.value as PyValue[]).every((k) => typeof k === 'string')) {
      throw new TorchLoadError(`legacy format: expected the list of storage keys, got ${describe(keys.value)}`);
    }
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let pos = keys.end;
    for (const key of keys.value as string[]) {
      const st = roots.get(key);
      if (!st) throw new TorchLoadError(`legacy format: storage '${key}' listed but never referenced`);
      if (pos + 8 > bytes.length) throw new TorchLoadError(`legacy format: truncated before storage '${key}'`);
      const n = Number(little ? dv.getBigInt64(pos, true) : dv.getBigInt64(pos, false));
      pos += 8;
      const size = DTYPES[st.dtype].itemSize;
      const need = n * size;
      if (n < st.numel) throw new TorchLoadError(`legacy format: storage '${key}' holds ${n} elements, expected ${st.numel}`);
      if (pos + need > bytes.length) {
        throw new TorchLoadError(`legacy format: storage '${key}' is truncated: needs ${need} bytes, ` +
          `${bytes.length - pos} left in the file`);
      }
      st.bytes = bytes.subarray(pos, pos + need);
      if (!little) {
        st.bytes = st.bytes.slice();
        byteswap(st.bytes, size);
      }
      pos += need;
    }
    for (const p of pending) {
      if (!p.storage.bytes) throw new TorchLoadError(`legacy format: storage '${p.storage.key}' has no data in the file`);
      const t = tensorFromStorage(p.storage, p.viewOffset + p.offset, p.size,
        p.stride, p.tensor.requiresGrad);
      p.tensor.data = t.data;
      if (numelOf(p.size) !== p.tensor.data.length) throw new TorchLoadError('legacy format: internal size mismatch');
    }
    return main.value;
  });
}
