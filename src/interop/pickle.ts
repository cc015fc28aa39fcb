// A restricted pickle virtual machine (protocols 0–5 binary opcodes as emitted by torch.save / pickle).
// It builds plain JS values (see py.ts) and never executes or imports anything: GLOBAL / STACK_GLOBAL accept only the
// allow-list below, and REDUCE / NEWOBJ / BUILD only act on allow-listed callables with JS re-implementations.
// Tensors need a `rebuildTensor` hook (supplied by torch_load.ts); persistent ids go to `persistentLoad`.
import {
  NumpyArray, NumpyDtype, OrderedDict, PyGlobal, isDict, type NumpyData, type PyNamespace, type PyValue,
} from './py.js';
import { TorchTensor, dtypeOfStorageClass, halfToFloat } from './tensor.js';

export class PickleError extends Error {
  override name = 'PickleError';
}

/** A storage class referenced by a persistent id (`torch.FloatStorage` → storageClass 'FloatStorage'). */
export class StorageClassRef extends PyGlobal {}

export interface UnpickleOptions {
  /** Resolve a persistent id (BINPERSID / PERSID). Without it, persistent ids are an error. */
  persistentLoad?: (pid: PyValue) => PyValue;
  /** `_rebuild_tensor_v2(storage, offset, size, stride, requiresGrad)` → a tensor. */
  rebuildTensor?: (storage: PyValue, offset: number, size: number[], stride: number[], requiresGrad: boolean) => TorchTensor;
  /** Byte offset to start at (legacy torch files are a sequence of pickles). */
  offset?: number;
}

export interface UnpickleResult {
  value: PyValue;
  /** offset just past the STOP opcode */
  end: number;
}

interface Ctx {
  opts: UnpickleOptions;
  namespaces: WeakSet<object>;
}

type Handler = {
  /** REDUCE: `callable(*args)` */
  call?: (args: readonly PyValue[], ctx: Ctx) => PyValue;
  /** NEWOBJ: `cls.__new__(cls, *args)` */
  newobj?: (args: readonly PyValue[], ctx: Ctx) => PyValue;
};

// ---- allow-list ----------------------------------------------------------------------------------------------------

const TORCH_DTYPE_NAMES = new Set([
  'float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16', 'int64', 'long', 'int32', 'int',
  'int16', 'short', 'int8', 'uint8', 'bool', 'complex64', 'complex128', 'cfloat', 'cdouble',
]);

function asInt(v: PyValue, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new PickleError(`${what}: expected an int, got ${describe(v)}`);
}

function asIntList(v: PyValue, what: string): number[] {
  if (!Array.isArray(v)) throw new PickleError(`${what}: expected a tuple of ints, got ${describe(v)}`);
  return (v as PyValue[]).map((x) => asInt(x, what));
}

function toIterable(v: PyValue, what: string): PyValue[] {
  if (Array.isArray(v)) return [...(v as PyValue[])];
  if (v instanceof Set) return [...v];
  if (v instanceof Map) return [...v.keys()];
  throw new PickleError(`${what}: expected an iterable, got ${describe(v)}`);
}

function latin1(s: string, what: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new PickleError(`${what}: character U+${c.toString(16)} is not latin-1`);
    out[i] = c;
  }
  return out;
}

function rebuildTensorV2(args: readonly PyValue[], ctx: Ctx, name: string): TorchTensor {
  if (args.length < 4) throw new PickleError(`torch._utils.${name}: expected ≥ 4 arguments, got ${args.length}`);
  if (!ctx.opts.rebuildTensor) {
    throw new PickleError(`torch._utils.${name}: tensors can only be rebuilt by the torch loader (loadTorchFile)`);
  }
  const [storage, offset, size, stride, requiresGrad] = args;
  return ctx.opts.rebuildTensor(storage, asInt(offset, `${name} storage_offset`), asIntList(size, `${name} size`),
    asIntList(stride, `${name} stride`), requiresGrad === true);
}

function rebuildParameter(args: readonly PyValue[], name: string): TorchTensor {
  const [data, requiresGrad] = args;
  if (!(data instanceof TorchTensor)) throw new PickleError(`torch._utils.${name}: expected a tensor, got ${describe(data)}`);
  data.requiresGrad = requiresGrad === true;
  return data;
}

function numpyScalar(dtype: PyValue, raw: PyValue): PyValue {
  if (!(dtype instanceof NumpyDtype)) throw new PickleError(`numpy scalar: expected a numpy.dtype, got ${describe(dtype)}`);
  if (!(raw instanceof Uint8Array)) throw new PickleError(`numpy scalar: expected bytes, got ${describe(raw)}`);
  const arr = numpyDecode(dtype, raw, 'numpy scalar');
  const v = arr[0];
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (dtype.descr === 'b1' || dtype.descr === '?') return v !== 0;
  return v;
}

function numpyDecode(dtype: NumpyDtype, raw: Uint8Array, what: string): NumpyData {
  const d = dtype.descr.replace(/^[<>|=]/, '');
  const kinds: Record<string, [number, (b: ArrayBuffer) => NumpyData]> = {
    f4: [4, (b) => new Float32Array(b)], f8: [8, (b) => new Float64Array(b)],
    i1: [1, (b) => new Int8Array(b)], i2: [2, (b) => new Int16Array(b)], i4: [4, (b) => new Int32Array(b)],
    i8: [8, (b) => new BigInt64Array(b)], u1: [1, (b) => new Uint8Array(b)], u2: [2, (b) => new Uint16Array(b)],
    u4: [4, (b) => new Uint32Array(b)], u8: [8, (b) => new BigUint64Array(b)], b1: [1, (b) => new Uint8Array(b)],
    '?': [1, (b) => new Uint8Array(b)], f2: [2, (b) => new Uint16Array(b)],
  };
  const k = kinds[d];
  if (!k) throw new PickleError(`${what}: unsupported numpy dtype '${dtype.descr}'`);
  const [size, make] = k;
  if (raw.length % size !== 0) throw new PickleError(`${what}: ${raw.length} bytes is not a multiple of ${size}`);
  const bytes = raw.slice();
  if (dtype.byteorder === '>') {
    for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  }
  const out = make(bytes.buffer);
  if (d === 'f2') {
    const h = out as Uint16Array;
    const f = new Float32Array(h.length);
    for (let i = 0; i < h.length; i++) f[i] = halfToFloat(h[i]!);
    return f;
  }
  return out;
}

function setContainer(args: readonly PyValue[], what: string): Set<PyValue> {
  return new Set(args.length ? toIterable(args[0], what) : []);
}

function numpyFromBuffer(a: readonly PyValue[]): NumpyArray {
  const [buf, dtype, shape, order] = a;
  if (!(buf instanceof Uint8Array) || !(dtype instanceof NumpyDtype)) {
    throw new PickleError('numpy _frombuffer: expected (bytes, dtype, shape, order)');
  }
  const sh = asIntList(shape, 'numpy _frombuffer shape');
  if (order === 'F' && sh.filter((d) => d > 1).length > 1) throw new PickleError('numpy.ndarray: Fortran-ordered arrays are not supported');
  const arr = new NumpyArray();
  arr.descr = dtype.descr.replace(/^[<>|=]/, '');
  arr.shape = sh;
  arr.data = numpyDecode(dtype, buf, 'numpy _frombuffer');
  return arr;
}

const BUILTINS: Record<string, Handler> = {
  set: { call: (a) => setContainer(a, 'builtins.set') },
  frozenset: { call: (a) => setContainer(a, 'builtins.frozenset') },
  list: { call: (a) => (a.length ? toIterable(a[0], 'builtins.list') : []) },
  tuple: { call: (a) => Object.freeze(a.length ? toIterable(a[0], 'builtins.tuple') : []) },
  dict: {
    call: (a) => {
      const m = new Map<PyValue, PyValue>();
      if (a.length && isDict(a[0])) for (const [k, v] of a[0]) m.set(k, v);
      else if (a.length) for (const kv of toIterable(a[0], 'builtins.dict')) {
        if (!Array.isArray(kv) || kv.length !== 2) throw new PickleError('builtins.dict: expected (key, value) pairs');
        m.set((kv as PyValue[])[0], (kv as PyValue[])[1]);
      }
      return m;
    },
  },
  bytearray: {
    call: (a) => {
      if (a.length === 0) return new Uint8Array(0);
      if (a[0] instanceof Uint8Array) return a[0].slice();
      if (typeof a[0] === 'string') return latin1(a[0], 'builtins.bytearray');
      throw new PickleError(`builtins.bytearray: unsupported argument ${describe(a[0])}`);
    },
  },
  object: {},
};

const ALLOW: Record<string, Handler> = {
  'collections.OrderedDict': {
    call: (a) => {
      const d = new OrderedDict();
      if (a.length && isDict(a[0])) for (const [k, v] of a[0]) d.set(k, v);
      else if (a.length) for (const kv of toIterable(a[0], 'collections.OrderedDict')) {
        if (!Array.isArray(kv) || kv.length !== 2) throw new PickleError('collections.OrderedDict: expected (key, value) pairs');
        d.set((kv as PyValue[])[0], (kv as PyValue[])[1]);
      }
      return d;
    },
  },
  'torch._utils._rebuild_tensor_v2': { call: (a, ctx) => rebuildTensorV2(a, ctx, '_rebuild_tensor_v2') },
  'torch._utils._rebuild_tensor': { call: (a, ctx) => rebuildTensorV2([...a.slice(0, 4), false], ctx, '_rebuild_tensor') },
  'torch._utils._rebuild_parameter': { call: (a) => rebuildParameter(a, '_rebuild_parameter') },
  'torch._utils._rebuild_parameter_with_state': { call: (a) => rebuildParameter(a, '_rebuild_parameter_with_state') },
  'torch.Size': { call: (a) => Object.freeze(a.length ? toIterable(a[0], 'torch.Size') : []) },
  'torch.device': {
    call: (a) => {
      if (typeof a[0] !== 'string') throw new PickleError(`torch.device: expected a string, got ${describe(a[0])}`);
      return a.length > 1 && a[1] !== null ? `${a[0]}:${asInt(a[1], 'torch.device index')}` : a[0];
    },
  },
  '_codecs.encode': {
    call: (a) => {
      const [s, enc] = a;
      if (typeof s !== 'string') throw new PickleError(`_codecs.encode: expected a str, got ${describe(s)}`);
      const e = typeof enc === 'string' ? enc.toLowerCase().replace('_', '-') : 'utf-8';
      if (e === 'latin1' || e === 'latin-1' || e === 'iso-8859-1') return latin1(s, '_codecs.encode');
      if (e === 'utf-8' || e === 'utf8' || e === 'ascii') return new TextEncoder().encode(s);
      throw new PickleError(`_codecs.encode: unsupported encoding '${String(enc)}'`);
    },
  },
  'argparse.Namespace': {
    newobj: (_a, ctx) => newNamespace(ctx),
    call: (a, ctx) => {
      if (a.length) throw new PickleError('argparse.Namespace: positional arguments are not supported');
      return newNamespace(ctx);
    },
  },
  'copyreg._reconstructor': { call: (a, ctx) => reconstructor(a, ctx) },
  'copy_reg._reconstructor': { call: (a, ctx) => reconstructor(a, ctx) },
  'numpy.dtype': {
    call: (a) => {
      if (typeof a[0] !== 'string') throw new PickleError(`numpy.dtype: expected a str, got ${describe(a[0])}`);
      return new NumpyDtype(a[0]);
    },
  },
  'numpy.core.multiarray.scalar': { call: (a) => numpyScalar(a[0], a[1]) },
  'numpy._core.multiarray.scalar': { call: (a) => numpyScalar(a[0], a[1]) },
  // `_reconstruct(ndarray, (0,), b'b')` makes an empty array that BUILD then fills
  'numpy.core.multiarray._reconstruct': { call: () => new NumpyArray() },
  'numpy._core.multiarray._reconstruct': { call: () => new NumpyArray() },
  'numpy.ndarray': {},
  // protocol 5 pickles arrays as `_frombuffer(buffer, dtype, shape, order)` with an in-band buffer
  'numpy.core.numeric._frombuffer': { call: (a) => numpyFromBuffer(a) },
  'numpy._core.numeric._frombuffer': { call: (a) => numpyFromBuffer(a) },
};
for (const [k, h] of Object.entries(BUILTINS)) {
  ALLOW[`builtins.${k}`] = h;
  ALLOW[`__builtin__.${k}`] = h;
}

function newNamespace(ctx: Ctx): PyValue {
  const ns: PyNamespace = {};
  ctx.namespaces.add(ns);
  return ns;
}

function reconstructor(a: readonly PyValue[], ctx: Ctx): PyValue {
  const [cls, base, state] = a;
  if (!(cls instanceof PyGlobal) || !(base instanceof PyGlobal) || base.name !== 'object' || state !== null) {
    throw new PickleError('copyreg._reconstructor: only (allow-listed class, object, None) is supported');
  }
  const h = handlerOf(cls);
  if (!h.newobj) throw new PickleError(`copyreg._reconstructor: ${cls} cannot be instantiated`);
  return h.newobj([], ctx);
}

/** Resolve a global against the allow-list, or throw naming it. Nothing is imported. */
export function resolveGlobal(module: string, name: string): PyGlobal {
  const full = `${module}.${name}`;
  if (ALLOW[full]) return new PyGlobal(module, name);
  if (module === 'torch' && /^[A-Za-z0-9]*Storage$/.test(name)) return new StorageClassRef(module, name);
  if (module === 'torch' && TORCH_DTYPE_NAMES.has(name)) return new PyGlobal(module, name);
  throw new PickleError(`pickle references the global '${full}', which is not in the allow-list of safe globals; ` +
    'refusing to load (nothing was executed or imported)');
}

function handlerOf(g: PyGlobal): Handler {
  return ALLOW[`${g.module}.${g.name}`] ?? {};
}

/** Storage dtype for a `torch.XStorage` reference, or a clear error. */
export function storageDtype(ref: PyValue): ReturnType<typeof dtypeOfStorageClass> & string {
  if (!(ref instanceof StorageClassRef)) throw new PickleError(`persistent id: expected a torch storage class, got ${describe(ref)}`);
  const dt = dtypeOfStorageClass(ref.name);
  if (!dt) {
    throw new PickleError(`unsupported tensor dtype: storage class torch.${ref.name} (supported: float32/64, float16, ` +
      'bfloat16, int64/32/16/8, uint8, bool)');
  }
  return dt;
}

export function describe(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return Object.isFrozen(v) ? `tuple(len ${v.length})` : `list(len ${v.length})`;
  if (v instanceof PyGlobal) return `global ${v.toString()}`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return `${typeof v} ${String(v).slice(0, 40)}`;
}

// ---- the VM ---------------------------------------------------------------------------------------------------------

const MARK = Symbol('mark');
type Item = PyValue | typeof MARK;

const utf8 = new TextDecoder('utf-8');

function toPyInt(b: bigint): number | bigint {
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return toPyInt(v);
}

/** Run the pickle at `opts.offset` (default 0) to its STOP opcode. */
export function unpickle(data: Uint8Array, opts: UnpickleOptions = {}): UnpickleResult {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const ctx: Ctx = { opts, namespaces: new WeakSet() };
  let pos = opts.offset ?? 0;
  let stack: Item[] = [];
  const metastack: Item[][] = [];
  const memo = new Map<number, PyValue>();

  const fail = (msg: string): never => {
    throw new PickleError(`pickle: ${msg} (at byte ${pos})`);
  };
  const need = (n: number): void => {
    if (n < 0 || pos + n > data.length) fail(`truncated pickle: needs ${n} more bytes, ${data.length - pos} left`);
  };
  const u8 = (): number => { need(1); return data[pos++]; };
  const u16 = (): number => { need(2); const v = dv.getUint16(pos, true); pos += 2; return v; };
  const u32 = (): number => { need(4); const v = dv.getUint32(pos, true); pos += 4; return v; };
  const i32 = (): number => { need(4); const v = dv.getInt32(pos, true); pos += 4; return v; };
  const u64 = (): number => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('length too large');
    return Number(v);
  };
  const bytes = (n: number): Uint8Array => { need(n); const b = data.subarray(pos, pos + n); pos += n; return b; };
  const line = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) fail('truncated pickle: missing newline');
    const s = utf8.decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    if (stack.length === 0) fail('stack underflow');
    const v = stack.pop() as Item;
    if (v === MARK) fail('unexpected MARK on the stack');
    return v as PyValue;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (stack.length === 0 || v === MARK) fail('stack underflow');
    return v as PyValue;
  };
  const popMark = (): PyValue[] => {
    const items = stack as PyValue[];
    if (metastack.length === 0) fail('MARK expected');
    stack = metastack.pop() as Item[];
    return items;
  };
  const push = (v: PyValue): void => { stack.push(v); };
  const setItems = (d: PyValue, items: PyValue[]): void => {
    if (!(d instanceof Map)) fail(`SETITEM(S) on ${describe(d)}`);
    const m = d as Map<PyValue, PyValue>;
    for (let i = 0; i + 1 < items.length; i += 2) m.set(items[i], items[i + 1]);
  };
  const appendItems = (l: PyValue, items: PyValue[]): void => {
    if (!Array.isArray(l) || Object.isFrozen(l)) fail(`APPEND(S) on ${describe(l)}`);
    (l as PyValue[]).push(...items);
  };
  const call = (fn: PyValue, args: PyValue, op: string): PyValue => {
    if (!(fn instanceof PyGlobal)) fail(`${op} on a non-global callable (${describe(fn)})`);
    if (!Array.isArray(args)) fail(`${op}: arguments must be a tuple, got ${describe(args)}`);
    const h = handlerOf(fn as PyGlobal);
    const f = op === 'NEWOBJ' ? h.newobj : h.call;
    if (!f) fail(`${op}: calling ${String(fn)} is not allowed`);
    return (f as NonNullable<Handler['call']>)(args as PyValue[], ctx);
  };
  const build = (obj: PyValue, state: PyValue): void => {
    if (obj instanceof OrderedDict && isDict(state)) {
      for (const [k, v] of state) obj.attrs[String(k)] = v;
    } else if (obj !== null && typeof obj === 'object' && ctx.namespaces.has(obj) && isDict(state)) {
      const ns = obj as PyNamespace;
      for (const [k, v] of state) ns[String(k)] = v;
    } else if (obj instanceof NumpyDtype && Array.isArray(state)) {
      const bo = (state as PyValue[])[1];
      if (typeof bo === 'string') obj.byteorder = bo;
    } else if (obj instanceof NumpyArray && Array.isArray(state)) {
      const [, shape, dtype, fortran, raw] = state as PyValue[];
      if (!(dtype instanceof NumpyDtype) || !(raw instanceof Uint8Array)) {
        fail('numpy.ndarray: only numeric arrays with raw-bytes state are supported');
      }
      const sh = asIntList(shape, 'numpy.ndarray shape');
      if (fortran === true && sh.filter((d) => d > 1).length > 1) fail('numpy.ndarray: Fortran-ordered arrays are not supported');
      obj.descr = (dtype as NumpyDtype).descr.replace(/^[<>|=]/, '');
      obj.shape = sh;
      obj.data = numpyDecode(dtype as NumpyDtype, raw as Uint8Array, 'numpy.ndarray');
    } else if (obj instanceof TorchTensor && isDict(state) && state.size === 0) {
      // empty Parameter state
    } else {
      fail(`BUILD on ${describe(obj)} with ${describe(state)} is not supported`);
    }
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const p = u8();
        if (p > 5) fail(`unsupported pickle protocol ${p}`);
        break;
      }
      case 0x95: u64(); break; // FRAME (frames are inline)
      case 0x2e: { // STOP
        const v = pop();
        return { value: v, end: pos };
      }
      case 0x28: metastack.push(stack); stack = []; break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: push(top()); break; // DUP
      // --- numbers
      case 0x4a: push(i32()); break; // BININT
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: push(u16()); break; // BININT2
      case 0x8a: push(decodeLong(bytes(u8()))); break; // LONG1
      case 0x8b: { // LONG4
        const n = i32();
        if (n < 0) fail('LONG4 with negative length');
        push(decodeLong(bytes(n)));
        break;
      }
      case 0x47: { need(8); push(dv.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT (big-endian)
      case 0x49: { // INT (text)
        const s = line();
        if (s === '01') push(true);
        else if (s === '00') push(false);
        else push(toPyInt(BigInt(s)));
        break;
      }
      case 0x4c: push(toPyInt(BigInt(line().replace(/L$/, '')))); break; // LONG (text)
      case 0x46: push(parseFloat(line())); break; // FLOAT (text)
      // --- constants
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      // --- strings and bytes
      case 0x58: push(utf8.decode(bytes(u32()))); break; // BINUNICODE
      case 0x8c: push(utf8.decode(bytes(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: push(utf8.decode(bytes(u64()))); break; // BINUNICODE8
      case 0x54: push(utf8.decode(bytes(i32()))); break; // BINSTRING (py2 str)
      case 0x55: push(utf8.decode(bytes(u8()))); break; // SHORT_BINSTRING
      case 0x42: push(bytes(u32()).slice()); break; // BINBYTES
      case 0x43: push(bytes(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: push(bytes(u64()).slice()); break; // BINBYTES8
      case 0x96: push(bytes(u64()).slice()); break; // BYTEARRAY8
      // --- containers
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x7d: push(new Map()); break; // EMPTY_DICT
      case 0x29: push(Object.freeze([])); break; // EMPTY_TUPLE
      case 0x8f: push(new Set()); break; // EMPTY_SET
      case 0x6c: push(popMark()); break; // LIST
      case 0x74: push(Object.freeze(popMark())); break; // TUPLE
      case 0x85: { const a = pop(); push(Object.freeze([a])); break; } // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); push(Object.freeze([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); push(Object.freeze([a, b, c])); break; } // TUPLE3
      case 0x64: { const items = popMark(); const d = new Map<PyValue, PyValue>(); setItems(d, items); push(d); break; } // DICT
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) fail(`ADDITEMS on ${describe(s)}`);
        for (const x of items) (s as Set<PyValue>).add(x);
        break;
      }
      case 0x91: push(new Set(popMark())); break; // FROZENSET
      // --- memo
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x70: memo.set(Number(line()), top()); break; // PUT
      case 0x68: case 0x6a: case 0x67: { // BINGET, LONG_BINGET, GET
        const k = op === 0x68 ? u8() : op === 0x6a ? u32() : Number(line());
        if (!memo.has(k)) fail(`memo key ${k} not found`);
        push(memo.get(k) as PyValue);
        break;
      }
      // --- globals and object construction
      case 0x63: { const module = line(); const name = line(); push(resolveGlobal(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: { const args = pop(); const fn = pop(); push(call(fn, args, 'REDUCE')); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); push(call(cls, args, 'NEWOBJ')); break; } // NEWOBJ
      case 0x92: { // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!(kwargs instanceof Map) || kwargs.size) fail('NEWOBJ_EX with keyword arguments is not supported');
        push(call(cls, args, 'NEWOBJ'));
        break;
      }
      case 0x62: { const state = pop(); build(top(), state); break; } // BUILD
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad) fail('persistent id found but no persistent_load is available');
        push((opts.persistentLoad as (p: PyValue) => PyValue)(pid));
        break;
      }
      case 0x50: { // PERSID
        const pid = line();
        if (!opts.persistentLoad) fail('persistent id found but no persistent_load is available');
        push((opts.persistentLoad as (p: PyValue) => PyValue)(pid));
        break;
      }
      case 0x69: case 0x6f: fail(`opcode ${op === 0x69 ? 'INST' : 'OBJ'} (class instantiation) is not allowed`); break;
      case 0x82: case 0x83: case 0x84: fail('extension registry opcodes (EXT1/2/4) are not supported'); break;
      case 0x97: case 0x98: fail('out-of-band buffers (protocol 5 NEXT_BUFFER) are not supported'); break;
      case 0x53: case 0x56: fail(`text opcode ${op === 0x53 ? 'STRING' : 'UNICODE'} (protocol 0) is not supported`); break;
      default: fail(`unknown opcode 0x${op.toString(16)}`);
    }
  }
}
