// saveTorchFile: write values (py.ts / SaveValue) in the zip format that torch.load (≥ 1.6, checked with 1.13) reads:
//   archive/data.pkl (pickle protocol 2), archive/byteorder ('little'), archive/data/<key> (raw little-endian
//   storages, stored, data 64-byte aligned via an 'FB' padding extra field as PyTorch's writer does), archive/version.
// Tensors become `torch._utils._rebuild_tensor_v2(<persistent storage>, 0, size, stride, False, OrderedDict())`,
// wrapped in `_rebuild_parameter(..., True, OrderedDict())` when requiresGrad is set.
import { zipSync, type ZipOptions } from 'fflate';
import { writeFileAtomic } from '../core/fs.js';
import { PickleWriter, type SaveValue } from './pickle_writer.js';
import { DTYPES, type TorchTensor, tensorBytes } from './tensor.js';

export type { SaveValue } from './pickle_writer.js';

const ARCHIVE = 'archive';
const ALIGN = 64;
const PAD_ID = 0x4246; // 'FB', as PyTorch's PyTorchStreamWriter
const MTIME = new Date(1980, 0, 1, 0, 0, 0);

/** Encode `obj` as the bytes of a torch.save zip file. */
export function encodeTorchFile(obj: SaveValue): Uint8Array {
  const records: [string, Uint8Array][] = [];
  const storages: [string, Uint8Array][] = [];
  const writeTensor = (w: PickleWriter, t: TorchTensor): void => {
    const key = String(storages.length);
    storages.push([key, tensorBytes(t)]);
    if (t.requiresGrad) w.global('torch._utils', '_rebuild_parameter');
    w.global('torch._utils', '_rebuild_tensor_v2');
    w.mark();
    // persistent id ('storage', torch.<X>Storage, key, 'cpu', numel)
    w.mark();
    w.str('storage');
    w.global('torch', DTYPES[t.dtype].storage);
    w.str(key);
    w.str('cpu');
    w.int(t.numel);
    w.byte(0x74); // TUPLE
    w.binpersid();
    w.int(0); // storage offset
    w.tupleOf(t.shape);
    w.tupleOf(t.stride);
    w.value(false);
    emptyOrderedDict(w);
    w.byte(0x74);
    w.reduce();
    if (t.requiresGrad) {
      w.value(true);
      emptyOrderedDict(w);
      w.byte(0x87); // TUPLE3 (tensor, True, OrderedDict())
      w.reduce();
    }
  };
  const w = new PickleWriter(writeTensor);
  w.proto();
  w.value(obj);
  w.stop();
  records.push([`${ARCHIVE}/data.pkl`, w.bytes()]);
  records.push([`${ARCHIVE}/byteorder`, new TextEncoder().encode('little')]);
  for (const [key, bytes] of storages) records.push([`${ARCHIVE}/data/${key}`, bytes]);
  records.push([`${ARCHIVE}/version`, new TextEncoder().encode('3\n')]);
  return zipAligned(records);
}

/** Write `obj` to `path` atomically in torch.save's zip format. */
export function saveTorchFile(path: string, obj: SaveValue): void {
  writeFileAtomic(path, encodeTorchFile(obj));
}

function emptyOrderedDict(w: PickleWriter): void {
  w.global('collections', 'OrderedDict');
  w.byte(0x29);
  w.reduce();
}

/** Stored zip whose entry data all start at multiples of 64 bytes. */
function zipAligned(records: [string, Uint8Array][]): Uint8Array {
  const files: Record<string, [Uint8Array, ZipOptions & { extra?: Record<number, Uint8Array> }]> = {};
  const enc = new TextEncoder();
  let offset = 0;
  const expected: number[] = [];
  for (const [name, data] of records) {
    const headerEnd = offset + 30 + enc.encode(name).length;
    let extra: Record<number, Uint8Array> | undefined;
    let dataStart = headerEnd;
    if (headerEnd % ALIGN !== 0) {
      const pad = (ALIGN - ((headerEnd + 4) % ALIGN)) % ALIGN;
      extra = { [PAD_ID]: new Uint8Array(pad).fill(0x5a) };
      dataStart = headerEnd + 4 + pad;
    }
    files[name] = [data, { level: 0, mtime: MTIME, ...(extra ? { extra } : {}) }];
    expected.push(dataStart);
    offset = dataStart + data.length;
  }
  const zip = zipSync(files);
  // Check the layout assumption (local header = 30 bytes + name + extra) against what fflate wrote.
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let p = 0;
  for (let i = 0; i < records.length; i++) {
    if (dv.getUint32(p, true) !== 0x04034b50) throw new Error('saveTorchFile: unexpected zip layout (local header)');
    const start = p + 30 + dv.getUint16(p + 26, true) + dv.getUint16(p + 28, true);
    if (start !== expected[i] || start % ALIGN !== 0) {
      throw new Error(`saveTorchFile: zip entry '${records[i][0]}' data at ${start}, expected ${expected[i]} (64-byte aligned)`);
    }
    p = start + records[i][1].length;
  }
  return zip;
}
