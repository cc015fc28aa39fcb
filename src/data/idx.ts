// IDX files (the MNIST / Fashion-MNIST container), raw or gzip-compressed.
// Layout: magic (2 zero bytes, dtype code, number of dims), then one big-endian uint32 per dim, then the data.
// Only unsigned bytes (dtype 0x08) are supported: 0x0801 = labels [N], 0x0803 = images [N, H, W].
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface IdxArray {
  /** the dims from the header, e.g. [60000, 28, 28] */
  dims: number[];
  data: Uint8Array;
}

/** Reads and validates one IDX file; `expectDims` (1 for labels, 3 for images) is checked against the magic. */
export function readIdx(path: string, expectDims?: 1 | 3): IdxArray {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new Error(`IDX file ${path}: cannot read (${(e as Error).message})`);
  }
  return parseIdx(raw, path, expectDims);
}

export function parseIdx(raw: Uint8Array, path: string, expectDims?: 1 | 3): IdxArray {
  let bytes = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw);
    } catch (e) {
      throw new Error(`IDX file ${path}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  if (bytes.length < 4) throw new Error(`IDX file ${path}: too short for a header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const dtype = bytes[2]!;
  const ndim = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || dtype !== 0x08 || (ndim !== 1 && ndim !== 3)) {
    throw new Error(
      `IDX file ${path}: bad magic 0x${magic.toString(16).padStart(8, '0')}, expected 0x00000801 (labels) or 0x00000803 (images)`,
    );
  }
  if (expectDims !== undefined && ndim !== expectDims) {
    throw new Error(`IDX file ${path}: magic says ${ndim} dims, expected ${expectDims} (${expectDims === 1 ? 'labels 0x0801' : 'images 0x0803'})`);
  }
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) throw new Error(`IDX file ${path}: truncated header (${bytes.length} bytes, need ${headerLen})`);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const have = bytes.length - headerLen;
  if (have < count) {
    throw new Error(`IDX file ${path}: truncated data: header [${dims.join(', ')}] needs ${count} bytes, file has ${have}`);
  }
  if (have > count) {
    throw new Error(`IDX file ${path}: ${have - count} unexpected trailing bytes after [${dims.join(', ')}] data`);
  }
  return { dims, data: bytes.subarray(headerLen, headerLen + count) };
}

/** Reads an images file and a labels file and checks that they hold the same number of items. */
export function readIdxPair(imagesPath: string, labelsPath: string): { images: IdxArray; labels: IdxArray } {
  const images = readIdx(imagesPath, 3);
  const labels = readIdx(labelsPath, 1);
  if (images.dims[0] !== labels.dims[0]) {
    throw new Error(
      `IDX count mismatch: ${imagesPath} has ${images.dims[0]} images but ${labelsPath} has ${labels.dims[0]} labels`,
    );
  }
  return { images, labels };
}
