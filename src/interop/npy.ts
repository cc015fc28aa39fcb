// .npy read/write (format versions 1.0, 2.0 and 3.0). Reads little- or big-endian f2/f4/f8/i1/i2/i4/i8/u1/b1 in C or
// Fortran order (Fortran is transposed into C order); writes little-endian C order, version 1.0 (2.0 for huge headers).
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/fs.js';
import { DTYPES, TorchStorage, TorchTensor, byteswap, contiguousStride, numelOf, tensorFromStorage, tensorBytes, type TorchDtype } from './tensor.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR_TO_DTYPE: Record<string, TorchDtype> = {
  f2: 'float16', f4: 'float32', f8: 'float64', i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64', u1: 'uint8', b1: 'bool',
};
const DTYPE_TO_DESCR: Partial<Record<TorchDtype, string>> = {
  float16: '<f2', float32: '<f4', float64: '<f8', int8: '|i1', int16: '<i2', int32: '<i4', int64: '<i8', uint8: '|u1',
  bool: '|b1',
};

/** Parse .npy bytes into a TorchTensor (C order; float16 widened to Float32Array, int64 as BigInt64Array). */
export function parseNpy(bytes: Uint8Array, what = '<npy>'): TorchTensor {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new Error(`${what}: not a .npy file (bad magic)`);
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hlen: number;
  let hstart: number;
  if (major === 1) {
    hlen = dv.getUint16(8, true);
    hstart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${what}: truncated .npy header`);
    hlen = dv.getUint32(8, true);
    hstart = 12;
  } else {
    throw new Error(`${what}: unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (hstart + hlen > bytes.length) throw new Error(`${what}: truncated .npy header`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(hstart, hstart + hlen));
  const descrM = /'descr'\s*:\s*'([<>|=]?)([a-zA-Z]\d*)'/.exec(header);
  const fortranM = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeM = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descrM || !fortranM || !shapeM) throw new Error(`${what}: cannot parse .npy header ${JSON.stringify(header.trim())}`);
  const [, order, kind] = descrM;
  const dtype = DESCR_TO_DTYPE[kind === '?' ? 'b1' : kind];
  if (!dtype) throw new Error(`${what}: unsupported .npy dtype '${order}${kind}' (supported: f2 f4 f8 i1 i2 i4 i8 u1 b1)`);
  const shape = shapeM[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
    const n = Number(s.replace(/L$/, ''));
    if (!Number.isInteger(n) || n < 0) throw new Error(`${what}: bad shape entry '${s}'`);
    return n;
  });
  const n = numelOf(shape);
  const itemSize = DTYPES[dtype].itemSize;
  const start = hstart + hlen;
  if (start + n * itemSize > bytes.length) {
    throw new Error(`${what}: truncated .npy data: ${bytes.length - start} bytes, needs ${n * itemSize}`);
  }
  const st = new TorchStorage('npy', dtype, n);
  st.bytes = bytes.slice(start, start + n * itemSize);
  if (order === '>') byteswap(st.bytes, itemSize);
  // Fortran order: element (i0, i1, ...) sits at i0 + d0*(i1 + d1*(...)): reversed contiguous strides.
  const stride = fortranM[1] === 'True'
    ? contiguousStride([...shape].reverse()).reverse()
    : contiguousStride(shape);
  return tensorFromStorage(st, 0, shape, stride, false);
}

export function readNpy(path: string): TorchTensor {
  return parseNpy(new Uint8Array(readFileSync(path)), path);
}

/** Encode a tensor as .npy bytes (little-endian, C order). bfloat16 has no numpy dtype and is rejected. */
export function encodeNpy(t: TorchTensor): Uint8Array {
  const descr = DTYPE_TO_DESCR[t.dtype];
  if (!descr) throw new Error(`encodeNpy: dtype '${t.dtype}' has no .npy equivalent (expected one of ${Object.keys(DTYPE_TO_DESCR).join(', ')})`);
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  let version = 1;
  let pre = 10;
  if (dict.length + 1 + pre > 0xffff) {
    version = 2;
    pre = 12;
  }
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - pre - 1, ' ') + '\n';
  const data = tensorBytes(t);
  const out = new Uint8Array(total + data.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, dict.length, true);
  else dv.setUint32(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[pre + i] = dict.charCodeAt(i);
  out.set(data, total);
  return out;
}

export function writeNpy(path: string, t: TorchTensor): void {
  writeFileAtomic(path, encodeNpy(t));
}
