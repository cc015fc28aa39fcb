// A safetensors-compatible file format for checkpoints (https://github.com/huggingface/safetensors, written from the
// format description): u64 little-endian header length N, N bytes of JSON header (padded with spaces to a multiple
// of 8), then the raw little-endian tensor bytes. Header: { name: {dtype, shape, data_offsets: [begin, end]}, …,
// "__metadata__": {string: string} }. Offsets are relative to the start of the data section.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/fs.js';
import { torchFileFormat } from '../interop/torch_load.js';

export type StDtype = 'F32' | 'I32';
export type StArray = Float32Array | Int32Array;

export interface StTensor {
  dtype: StDtype;
  shape: number[];
  data: StArray;
}

export interface StFile {
  tensors: Map<string, StTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<StDtype, number> = { F32: 4, I32: 4 };

/** Serialises tensors (in insertion order) and string metadata. */
export function encodeSafetensors(tensors: Map<string, StTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: tensor '${name}' has ${t.data.length} values but shape [${t.shape.join(',')}]`);
    const bytes = n * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos); // host is little-endian
    pos += t.data.byteLength;
  }
  return out;
}

/** Parses and validates a safetensors file's bytes; `what` names the file in errors. */
export function decodeSafetensors(bytes: Uint8Array, what: string): StFile {
  if (bytes.length < 8) throw new Error(`${what}: not a checkpoint (file is ${bytes.length} bytes; truncated?)`);
  const torch = torchFileFormat(bytes);
  if (torch) {
    throw new Error(`${what}: is a PyTorch file (torch.save ${torch === 'zip' ? 'zip' : 'legacy pickle'} format), not a chanlab training checkpoint; ` +
      'expected a .safetensors file written by `chanlab train` (PyTorch checkpoints: `chanlab predict` / `chanlab inspect`)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) {
    throw new Error(`${what}: truncated or not a checkpoint (header says ${n} header bytes, file has ${bytes.length - 8} after the length); ` +
      'expected a .safetensors file written by `chanlab train`');
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, n).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${what}: corrupt checkpoint header (${(e as Error).message})`);
  }
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const tensors = new Map<string, StTensor>();
  let expectedEnd = 0;
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const info = raw as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    const dtype = info.dtype as StDtype;
    if (!(dtype in BYTES)) throw new Error(`${what}: tensor '${name}' has unsupported dtype '${String(info.dtype)}' (expected F32 or I32)`);
    const [begin, end] = info.data_offsets ?? [-1, -1];
    const shape = info.shape ?? [];
    const count = shape.reduce((a, b) => a * b, 1);
    if (!(begin >= 0 && end - begin === count * BYTES[dtype])) {
      throw new Error(`${what}: tensor '${name}' offsets [${begin}, ${end}] do not match shape [${shape.join(',')}]`);
    }
    expectedEnd = Math.max(expectedEnd, end);
    if (end > dataLen) {
      throw new Error(`${what}: checkpoint is truncated (tensor '${name}' ends at byte ${end} of the data section, which has only ${dataLen} bytes)`);
    }
    const copy = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end)); // an aligned copy (Buffer.slice would be a view)
    const data = dtype === 'F32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
    tensors.set(name, { dtype, shape, data });
  }
  if (expectedEnd !== dataLen) {
    throw new Error(`${what}: checkpoint size mismatch (tensors need ${expectedEnd} data bytes, file has ${dataLen})`);
  }
  return { tensors, metadata };
}

export function writeSafetensors(path: string, tensors: Map<string, StTensor>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export function readSafetensors(path: string): StFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`checkpoint: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeSafetensors(bytes, `checkpoint ${path}`);
}
