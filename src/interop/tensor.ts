// TorchTensor: a dense, C-contiguous CPU copy of a PyTorch tensor, plus dtype tables and half/bfloat16 conversion.
// Tensors read from a file are copied out of their storage (honouring storage offset and strides), so `stride` is
// always the contiguous stride of `shape`; float16/bfloat16 values are widened to Float32Array (dtype kept).

export type TorchDtype =
  | 'float32' | 'float64' | 'float16' | 'bfloat16'
  | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** Typed array holding a tensor's values: int64 → BigInt64Array (exact), bool → Uint8Array (0/1), float16 and bfloat16 → Float32Array. */
export type TensorData =
  | Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

interface DtypeInfo {
  /** bytes per element in a storage */
  itemSize: number;
  /** PyTorch legacy storage class name (`torch.<name>`) */
  storage: string;
}

export const DTYPES: Readonly<Record<TorchDtype, DtypeInfo>> = {
  float32: { itemSize: 4, storage: 'FloatStorage' },
  float64: { itemSize: 8, storage: 'DoubleStorage' },
  float16: { itemSize: 2, storage: 'HalfStorage' },
  bfloat16: { itemSize: 2, storage: 'BFloat16Storage' },
  int64: { itemSize: 8, storage: 'LongStorage' },
  int32: { itemSize: 4, storage: 'IntStorage' },
  int16: { itemSize: 2, storage: 'ShortStorage' },
  int8: { itemSize: 1, storage: 'CharStorage' },
  uint8: { itemSize: 1, storage: 'ByteStorage' },
  bool: { itemSize: 1, storage: 'BoolStorage' },
};

const STORAGE_TO_DTYPE: ReadonlyMap<string, TorchDtype> = new Map(
  (Object.keys(DTYPES) as TorchDtype[]).map((d) => [DTYPES[d].storage, d] as const),
);

/** `FloatStorage` → `float32`; undefined for storage classes we do not read (complex, quantized, ...). */
export function dtypeOfStorageClass(name: string): TorchDtype | undefined {
  return STORAGE_TO_DTYPE.get(name);
}

export function isTorchDtype(s: string): s is TorchDtype {
  return Object.prototype.hasOwnProperty.call(DTYPES, s);
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStride(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    stride[i] = s;
    s *= Math.max(shape[i], 1);
  }
  return stride;
}

export function allocData(dtype: TorchDtype, n: number): TensorData {
  switch (dtype) {
    case 'float32': case 'float16': case 'bfloat16': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'int32': return new Int32Array(n);
    case 'int16': return new Int16Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint8': case 'bool': return new Uint8Array(n);
  }
}

function dtypeOfData(data: TensorData): TorchDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int8Array) return 'int8';
  return 'uint8';
}

export class TorchTensor {
  readonly dtype: TorchDtype;
  readonly shape: number[];
  /** contiguous (C order) stride of `shape`, in elements */
  readonly stride: number[];
  data: TensorData;
  requiresGrad: boolean;

  constructor(dtype: TorchDtype, shape: readonly number[], data: TensorData, requiresGrad = false) {
    const n = numelOf(shape);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`TorchTensor: shape must be non-negative integers, got [${shape.join(', ')}]`);
    }
    if (data.length !== n) {
      throw new Error(`TorchTensor: data length ${data.length} does not match shape [${shape.join(', ')}] (numel ${n})`);
    }
    const want = allocData(dtype, 0).constructor;
    if (data.constructor !== want) {
      throw new Error(`TorchTensor: dtype '${dtype}' expects ${want.name}, got ${data.constructor.name}`);
    }
    this.dtype = dtype;
    this.shape = [...shape];
    this.stride = contiguousStride(shape);
    this.data = data;
    this.requiresGrad = requiresGrad;
  }

  /** Build from a typed array; dtype defaults from the array type (Uint8Array → uint8). */
  static from(data: TensorData, shape: readonly number[], dtype?: TorchDtype): TorchTensor {
    return new TorchTensor(dtype ?? dtypeOfData(data), shape, data);
  }

  get numel(): number {
    return this.data.length;
  }
}

// ---- float16 / bfloat16 -----------------------------------------------------------------------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** float32 → IEEE half bits, round to nearest even (as PyTorch's `.half()`). */
export function floatToHalf(x: number): number {
  f32[0] = x;
  return f32BitsToHalf(u32[0]);
}

function f32BitsToHalf(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const e = (b >>> 23) & 0xff;
  let m = b & 0x7fffff;
  if (e === 0xff) return sign | 0x7c00 | (m ? 0x200 : 0);
  const he = e - 127 + 15;
  if (he >= 31) return sign | 0x7c00;
  if (he <= 0) {
    if (he < -10) return sign;
    m |= 0x800000;
    const shift = 14 - he;
    let hm = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && hm & 1)) hm++;
    return sign | hm;
  }
  const hm = m >>> 13;
  const rem = m & 0x1fff;
  let out = sign | (he << 10) | hm;
  if (rem > 0x1000 || (rem === 0x1000 && hm & 1)) out++; // a carry into the exponent rounds up correctly
  return out;
}

/** IEEE half bits → float32 bits (exact; NaN sign and payload kept). */
export function halfToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const e = (h >> 10) & 0x1f;
  let m = h & 0x3ff;
  if (e === 31) return (sign | 0x7f800000 | (m << 13)) >>> 0;
  if (e === 0) {
    if (m === 0) return sign >>> 0;
    let ex = 113; // 127 - 15 + 1
    while (!(m & 0x400)) {
      m <<= 1;
      ex--;
    }
    return (sign | (ex << 23) | ((m & 0x3ff) << 13)) >>> 0;
  }
  return (sign | ((e + 112) << 23) | (m << 13)) >>> 0;
}

const bf16ToF32Bits = (h: number): number => (h << 16) >>> 0;

export function bf16ToFloat(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

/** float32 → bfloat16 bits, round to nearest even; NaN → 0x7fc0 (as PyTorch's c10::BFloat16). */
export function floatToBf16(x: number): number {
  f32[0] = x;
  return f32BitsToBf16(u32[0]);
}

function f32BitsToBf16(b: number): number {
  if ((b & 0x7fffffff) > 0x7f800000) return 0x7fc0;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

// ---- storage → tensor ---------------------------------------------------------------------------------------------

/** A storage referenced by a persistent id; `bytes` is filled when the record is read (legacy files: after the pickle). */
export class TorchStorage implements StorageBytes {
  bytes: Uint8Array | null = null;
  constructor(readonly key: string, readonly dtype: TorchDtype, readonly numel: number) {}
}

/** A typed storage's bytes (little-endian once loaded; null while not yet read) and its element dtype. */
export interface StorageBytes {
  readonly dtype: TorchDtype;
  readonly numel: number;
  readonly bytes: Uint8Array | null;
}

/** Typed view over a storage's bytes (aligned copy); float16/bfloat16 viewed as Uint16Array. */
function storageView(st: StorageBytes): TensorData | Uint16Array {
  const { itemSize } = DTYPES[st.dtype];
  const need = st.numel * itemSize;
  if (!st.bytes) throw new Error('storage data has not been read');
  if (st.bytes.length < need) {
    throw new Error(`storage holds ${st.bytes.length} bytes but ${st.numel} ${st.dtype} elements need ${need} (truncated file?)`);
  }
  // view in place when aligned (zip records are), else copy to an aligned buffer
  const b = st.bytes.byteOffset % itemSize === 0 ? st.bytes : st.bytes.slice(0, need);
  const [buf, off, n] = [b.buffer, b.byteOffset, st.numel];
  switch (st.dtype) {
    case 'float16': case 'bfloat16': return new Uint16Array(buf, off, n);
    case 'float32': return new Float32Array(buf, off, n);
    case 'float64': return new Float64Array(buf, off, n);
    case 'int64': return new BigInt64Array(buf, off, n);
    case 'int32': return new Int32Array(buf, off, n);
    case 'int16': return new Int16Array(buf, off, n);
    case 'int8': return new Int8Array(buf, off, n);
    case 'uint8': case 'bool': return new Uint8Array(buf, off, n);
  }
}

/** Copy the strided view (offset, shape, stride) of a storage into a contiguous TorchTensor. */
export function tensorFromStorage(
  st: StorageBytes, offset: number, shape: readonly number[], stride: readonly number[], requiresGrad: boolean,
): TorchTensor {
  if (shape.length !== stride.length) {
    throw new Error(`tensor rebuild: size has ${shape.length} dims but stride has ${stride.length}`);
  }
  const n = numelOf(shape);
  const out = allocData(st.dtype, n);
  if (n > 0) {
    let maxIdx = offset;
    let minIdx = offset;
    for (let i = 0; i < shape.length; i++) {
      const span = (shape[i] - 1) * stride[i];
      if (span > 0) maxIdx += span; else minIdx += span;
    }
    if (minIdx < 0 || maxIdx >= st.numel) {
      throw new Error(`tensor view (offset ${offset}, size [${shape.join(', ')}], stride [${stride.join(', ')}]) ` +
        `reaches outside its storage of ${st.numel} elements`);
    }
    const src = storageView(st);
    // float16/bfloat16 are widened bit-exactly into the float32 output through a Uint32Array view
    const conv = st.dtype === 'float16' ? halfToF32Bits : st.dtype === 'bfloat16' ? bf16ToF32Bits : null;
    const dst = (conv ? new Uint32Array(out.buffer) : out) as unknown as { [i: number]: number | bigint };
    const s = src as unknown as { [i: number]: number | bigint };
    const cstride = contiguousStride(shape);
    const contiguous = shape.every((d, i) => d === 1 || stride[i] === cstride[i]);
    if (contiguous && conv === null) {
      (out as Float32Array).set((src as Float32Array).subarray(offset, offset + n));
    } else {
      const nd = shape.length;
      const idx = new Array<number>(nd).fill(0);
      let p = offset;
      for (let k = 0; k < n; k++) {
        dst[k] = conv ? conv(s[p] as number) : s[p];
        for (let d = nd - 1; d >= 0; d--) {
          idx[d]++;
          p += stride[d];
          if (idx[d] < shape[d]) break;
          p -= stride[d] * shape[d];
          idx[d] = 0;
        }
      }
    }
  }
  return new TorchTensor(st.dtype, shape, out, requiresGrad);
}

/** Little-endian storage bytes of a tensor's contiguous data (float16/bfloat16 narrowed from float32). */
export function tensorBytes(t: TorchTensor): Uint8Array {
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') {
    // work on the float32 bit patterns so NaN signs/payloads are not lost through JS numbers
    const conv = t.dtype === 'float16' ? f32BitsToHalf : f32BitsToBf16;
    const h = new Uint16Array(t.numel);
    const d = t.data as Float32Array;
    const src = new Uint32Array(d.buffer, d.byteOffset, d.length);
    for (let i = 0; i < h.length; i++) h[i] = conv(src[i]);
    return new Uint8Array(h.buffer);
  }
  if (t.dtype === 'bool') {
    const b = new Uint8Array(t.numel);
    const src = t.data as Uint8Array;
    for (let i = 0; i < b.length; i++) b[i] = src[i] ? 1 : 0;
    return b;
  }
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Reverse byte order of each `itemSize`-byte element in place. */
export function byteswap(bytes: Uint8Array, itemSize: number): void {
  if (itemSize === 1) return;
  for (let i = 0; i + itemSize <= bytes.length; i += itemSize) {
    for (let a = i, b = i + itemSize - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}
