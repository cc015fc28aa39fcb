// Pickle protocol 2 writer for the values torch.save produces: containers, numbers, strings, bytes and tensors
// (tensors are handed to `saveTensor`, which writes the persistent-id storage and the _rebuild_tensor_v2 call).
import { NumpyArray, NumpyDtype, OrderedDict, PyFloat, PyGlobal, isPlainObject, type PyValue } from './py.js';
import { TorchStorage, TorchTensor } from './tensor.js';

/** What can be saved: PyValue plus plain objects with string keys (written as dicts). */
export type SaveValue = PyValue | { [key: string]: SaveValue } | readonly SaveValue[] | Map<SaveValue, SaveValue>;

export class PickleWriter {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(1 << 16);
  private len = 0;
  private readonly enc = new TextEncoder();
  private readonly active = new Set<object>();

  constructor(private readonly saveTensor?: (w: PickleWriter, t: TorchTensor) => void) {}

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    this.chunks.push(this.buf.subarray(0, this.len));
    this.buf = new Uint8Array(Math.max(1 << 16, n));
    this.len = 0;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  private u32(v: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setUint32(0, v, true);
    this.len += 4;
  }

  proto(): void {
    this.byte(0x80);
    this.byte(2);
  }

  stop(): void {
    this.byte(0x2e);
  }

  mark(): void {
    this.byte(0x28);
  }

  global(module: string, name: string): void {
    this.byte(0x63);
    this.raw(this.enc.encode(`${module}\n${name}\n`));
  }

  reduce(): void {
    this.byte(0x52);
  }

  binpersid(): void {
    this.byte(0x51);
  }

  int(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v < 256) {
      this.byte(0x4b); // BININT1
      this.byte(v);
    } else if (typeof v === 'number' && v >= 0 && v < 65536) {
      this.byte(0x4d); // BININT2
      this.byte(v & 0xff);
      this.byte(v >> 8);
    } else if (typeof v === 'number' && v >= -0x80000000 && v <= 0x7fffffff) {
      this.byte(0x4a); // BININT
      this.ensure(4);
      new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setInt32(0, v, true);
      this.len += 4;
    } else {
      // LONG1: little-endian two's complement, minimal length
      let b = BigInt(v);
      const out: number[] = [];
      for (;;) {
        const byte = Number(b & 0xffn);
        out.push(byte);
        b >>= 8n;
        if ((b === 0n && !(byte & 0x80)) || (b === -1n && byte & 0x80)) break;
      }
      if (out.length > 255) throw new Error(`pickle: integer ${v} is too large`);
      this.byte(0x8a);
      this.byte(out.length);
      this.raw(Uint8Array.from(out));
    }
  }

  float(v: number): void {
    this.byte(0x47); // BINFLOAT, big-endian
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 8).setFloat64(0, v, false);
    this.len += 8;
  }

  str(s: string): void {
    const b = this.enc.encode(s);
    this.byte(0x58); // BINUNICODE
    this.u32(b.length);
    this.raw(b);
  }

  /** A tuple (TUPLE1/2/3 for short ones, MARK ... TUPLE otherwise). */
  tupleOf(items: readonly SaveValue[]): void {
    if (items.length === 0) {
      this.byte(0x29);
      return;
    }
    if (items.length > 3) this.mark();
    for (const x of items) this.value(x);
    this.byte(items.length === 1 ? 0x85 : items.length === 2 ? 0x86 : items.length === 3 ? 0x87 : 0x74);
  }

  private dictItems(entries: Iterable<readonly [SaveValue, SaveValue]>): void {
    let n = 0;
    for (const [k, v] of entries) {
      if (n === 0) this.mark();
      this.value(k);
      this.value(v);
      if (++n === 1000) {
        this.byte(0x75); // SETITEMS
        n = 0;
      }
    }
    if (n > 0) this.byte(0x75);
  }

  value(v: SaveValue): void {
    if (v === null || v === undefined) return this.byte(0x4e);
    if (v === true) return this.byte(0x88);
    if (v === false) return this.byte(0x89);
    if (typeof v === 'number') {
      if (Number.isInteger(v) && !Object.is(v, -0)) return this.int(v);
      return this.float(v);
    }
    if (typeof v === 'bigint') return this.int(v);
    if (typeof v === 'string') return this.str(v);
    if (v instanceof PyFloat) return this.float(v.value);
    if (v instanceof TorchTensor) {
      if (!this.saveTensor) throw new Error('pickle: tensors can only be written by saveTorchFile');
      return this.saveTensor(this, v);
    }
    if (v instanceof PyGlobal) return this.global(v.module, v.name);
    if (v instanceof Uint8Array) {
      // protocol 2 writes bytes as _codecs.encode(latin-1 str, 'latin1'), as Python 3 does
      this.global('_codecs', 'encode');
      let s = '';
      for (let i = 0; i < v.length; i += 8192) s += String.fromCharCode(...v.subarray(i, i + 8192));
      this.str(s);
      this.str('latin1');
      this.byte(0x86);
      return this.reduce();
    }
    if (v instanceof TorchStorage || v instanceof NumpyArray || v instanceof NumpyDtype || ArrayBuffer.isView(v)) {
      throw new Error(`pickle: cannot save a ${(v as object).constructor.name} (wrap typed arrays in a TorchTensor)`);
    }
    if (typeof v !== 'object') throw new Error(`pickle: cannot save a value of type ${typeof v}`);
    if (this.active.has(v)) throw new Error('pickle: circular reference in the object to save');
    this.active.add(v);
    try {
      if (Array.isArray(v)) {
        if (Object.isFrozen(v)) return this.tupleOf(v as readonly SaveValue[]);
        this.byte(0x5d); // EMPTY_LIST
        for (let i = 0; i < v.length; i += 1000) {
          this.mark();
          for (const x of (v as SaveValue[]).slice(i, i + 1000)) this.value(x);
          this.byte(0x65); // APPENDS
        }
        return;
      }
      if (v instanceof OrderedDict) {
        this.global('collections', 'OrderedDict');
        this.byte(0x29);
        this.reduce();
        this.dictItems(v as Map<SaveValue, SaveValue>);
        const attrs = Object.entries(v.attrs);
        if (attrs.length) {
          this.byte(0x7d);
          this.dictItems(attrs);
          this.byte(0x62); // BUILD
        }
        return;
      }
      if (v instanceof Map) {
        this.byte(0x7d); // EMPTY_DICT
        return this.dictItems(v as Map<SaveValue, SaveValue>);
      }
      if (v instanceof Set) {
        this.global('builtins', 'set');
        this.tupleOf([[...v] as SaveValue[]]);
        return this.reduce();
      }
      if (isPlainObject(v)) {
        this.byte(0x7d);
        return this.dictItems(Object.entries(v as { [key: string]: SaveValue }));
      }
      throw new Error(`pickle: cannot save an object of class ${(v as object).constructor?.name ?? '?'}`);
    } finally {
      this.active.delete(v);
    }
  }

  bytes(): Uint8Array {
    const parts = [...this.chunks, this.buf.subarray(0, this.len)];
    const total = parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}
