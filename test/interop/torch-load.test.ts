// loadTorchFile against files written by torch 1.13 (fixtures from scripts/fixtures/make_interop_fixtures.py).
import { crc32 } from '../../src/core/crc32.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { NumpyArray, OrderedDict, isTuple, type PyValue } from '../../src/interop/py.js';
import { readNpy } from '../../src/interop/npy.js';
import { DTYPES, TorchTensor, byteswap } from '../../src/interop/tensor.js';
import { loadTorchFile, torchFileFormat } from '../../src/interop/torch_load.js';
import { encodeTorchFile } from '../../src/interop/torch_save.js';
import { FIX, expectSameValues, expectTensorEqual } from './helpers.js';

interface ExpectedMeta {
  dtype: string;
  shape: number[];
  requires_grad: boolean;
  npy: string;
}
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as Record<string, ExpectedMeta>;

function get(m: PyValue, k: string): PyValue {
  if (!(m instanceof Map)) throw new Error(`expected a dict, got ${String(m)}`);
  if (!m.has(k)) throw new Error(`missing key ${k}`);
  return m.get(k) as PyValue;
}

function tensor(v: PyValue): TorchTensor {
  if (!(v instanceof TorchTensor)) throw new Error(`expected a tensor, got ${String(v)}`);
  return v;
}

describe.each(['state_zip.pth', 'state_legacy.pth', 'state_zip_p4.pth'])('%s', (file) => {
  const sd = loadTorchFile(join(FIX, file));

  it('is an OrderedDict with the saved keys in order', () => {
    expect(sd).toBeInstanceOf(OrderedDict);
    expect([...(sd as OrderedDict).keys()]).toEqual(Object.keys(expected));
  });

  it.each(Object.keys(expected))('tensor %s matches dtype, shape and every value', (key) => {
    const meta = expected[key];
    const t = tensor(get(sd, key));
    expect(t.dtype).toBe(meta.dtype);
    expect(t.shape).toEqual(meta.shape);
    expect(t.stride).toEqual(t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1)));
    expect(t.requiresGrad).toBe(meta.requires_grad);
    const ref = readNpy(join(FIX, meta.npy));
    // float16/bfloat16 references were widened to float32 by torch itself
    expect(ref.shape).toEqual(meta.shape);
    expectSameValues(t.data, ref.data, `${file}:${key}`);
  });
});

describe('special values survive exactly', () => {
  const sd = loadTorchFile(join(FIX, 'state_zip.pth'));
  it('int64 extremes are exact BigInts', () => {
    const t = tensor(get(sd, 'i64_extremes'));
    expect(t.data).toBeInstanceOf(BigInt64Array);
    expect([...(t.data as BigInt64Array)]).toEqual([-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, -1n]);
  });
  it('float16 specials (±0, ±65504, subnormal, ±inf, NaN)', () => {
    const d = tensor(get(sd, 'f16')).data as Float32Array;
    expect(Object.is(d[0], 0)).toBe(true);
    expect(Object.is(d[1], -0)).toBe(true);
    expect([d[2], d[3]]).toEqual([65504, -65504]);
    expect(d[4]).toBe(2 ** -24); // 6e-8 rounds to the smallest subnormal
    expect([d[6], d[7]]).toEqual([Infinity, -Infinity]);
    expect(Number.isNaN(d[8])).toBe(true);
  });
  it('views of one shared storage and a transposed tensor are copied out independently', () => {
    const a = tensor(get(sd, 'shared_a'));
    const c = tensor(get(sd, 'shared_c'));
    expect(a.data.buffer).not.toBe(c.data.buffer);
    expect(c.shape).toEqual([4, 2]);
    expect(tensor(get(sd, 'transposed')).shape).toEqual([5, 4]);
    const e = tensor(get(sd, 'expanded'));
    expect(e.data[0]).toBe(e.data[3]);
  });
  it('the same data from zip, legacy and protocol-4 files', () => {
    const leg = loadTorchFile(join(FIX, 'state_legacy.pth')) as OrderedDict;
    for (const [k, v] of sd as OrderedDict) expectTensorEqual(tensor(leg.get(k) as PyValue), tensor(v), k as string);
  });
  it('accepts bytes as well as a path', () => {
    const fromBytes = loadTorchFile(new Uint8Array(readFileSync(join(FIX, 'state_zip.pth')))) as OrderedDict;
    expectTensorEqual(tensor(fromBytes.get('f32') as PyValue), tensor(get(sd, 'f32')), 'f32');
  });
});

describe('archive variants', () => {
  const orig = loadTorchFile(join(FIX, 'state_zip.pth')) as OrderedDict;

  it('deflated, unaligned entries under another archive prefix', () => {
    const files = unzipSync(new Uint8Array(readFileSync(join(FIX, 'state_zip.pth'))));
    const renamed = Object.fromEntries(Object.entries(files).map(([k, v]) => [k.replace(/^state_zip\//, 'my.ckpt/'), v]));
    const z = zipSync({ 'my.ckpt/aaa': new Uint8Array(3), ...renamed }, { level: 6 });
    const back = loadTorchFile(z) as OrderedDict;
    expect([...back.keys()]).toEqual([...orig.keys()]);
    for (const [k, v] of orig) expectTensorEqual(tensor(back.get(k) as PyValue), tensor(v), String(k));
  });

  it("byteorder 'big' archives are byte-swapped", () => {
    const src = new OrderedDict([['f', tensor(orig.get('f32') as PyValue)], ['i', tensor(orig.get('i64') as PyValue)],
      ['h', tensor(orig.get('f16') as PyValue)], ['s', tensor(orig.get('i16') as PyValue)]]);
    const files = unzipSync(encodeTorchFile(src));
    [...src.values()].forEach((t, key) => byteswap(files[`archive/data/${key}`], DTYPES[tensor(t).dtype].itemSize));
    files['archive/byteorder'] = new TextEncoder().encode('big');
    const back = loadTorchFile(zipSync(files, { level: 0 })) as OrderedDict;
    for (const [k, v] of src) expectTensorEqual(tensor(back.get(k) as PyValue), tensor(v), String(k));
  });
});

describe('CHEX-like .pth.tar checkpoint', () => {
  interface TJ { dtype: string; shape: number[]; values: number[] }
  const exp = JSON.parse(readFileSync(join(FIX, 'chex_like.json'), 'utf8')) as {
    epoch: number; arch: unknown[]; best_prec1: number; best_epoch: number; cfg: number[]; mask_ratio: number[];
    args: Record<string, unknown>; state_dict: Record<string, TJ>; metadata_keys: string[];
    optimizer_param_groups: Record<string, unknown>[]; optimizer_state: Record<string, TJ>;
  };
  const ck = loadTorchFile(join(FIX, 'chex_like.pth.tar'));

  const checkTJ = (t: TorchTensor, e: TJ, what: string): void => {
    expect(t.dtype).toBe(e.dtype);
    expect(t.shape).toEqual(e.shape);
    const vals = t.dtype === 'int64' ? [...(t.data as BigInt64Array)].map(Number) : [...(t.data as Float32Array)];
    expectSameValues(vals, e.values, what);
  };

  it('metadata scalars: epoch, arch tuple, numpy best_prec1 / best_epoch, cfg, numpy array', () => {
    expect(get(ck, 'epoch')).toBe(exp.epoch);
    const arch = get(ck, 'arch');
    expect(isTuple(arch)).toBe(true);
    expect(arch).toEqual(exp.arch);
    expect(get(ck, 'best_prec1')).toBe(exp.best_prec1);
    expect(get(ck, 'best_epoch')).toBe(exp.best_epoch);
    expect(get(ck, 'cfg')).toEqual(exp.cfg);
    const mr = get(ck, 'mask_ratio');
    expect(mr).toBeInstanceOf(NumpyArray);
    expect((mr as NumpyArray).descr).toBe('f4');
    expect([...(mr as NumpyArray).data as Float32Array]).toEqual(exp.mask_ratio);
  });

  it('argparse.Namespace becomes a plain object', () => {
    const args = get(ck, 'args');
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(args).toEqual(exp.args);
  });

  it('state_dict: module.-prefixed keys, every value exact, _metadata kept in attrs', () => {
    const sd = get(ck, 'state_dict');
    expect(sd).toBeInstanceOf(OrderedDict);
    expect([...(sd as OrderedDict).keys()]).toEqual(Object.keys(exp.state_dict));
    for (const [k, e] of Object.entries(exp.state_dict)) checkTJ(tensor(get(sd, k)), e, k);
    const md = (sd as OrderedDict).attrs._metadata;
    expect(md).toBeInstanceOf(OrderedDict);
    expect([...(md as OrderedDict).keys()]).toEqual(exp.metadata_keys);
  });

  it('optimizer state: int-keyed momentum buffers and param groups', () => {
    const opt = get(ck, 'optimizer');
    const groups = get(opt, 'param_groups') as Map<PyValue, PyValue>[];
    expect(groups.map((g) => Object.fromEntries([...g].map(([k, v]) => [String(k), v])))).toEqual(exp.optimizer_param_groups);
    const state = get(opt, 'state') as Map<PyValue, PyValue>;
    expect([...state.keys()]).toEqual(Object.keys(exp.optimizer_state).map(Number));
    for (const [k, e] of Object.entries(exp.optimizer_state)) {
      checkTJ(tensor(get(state.get(Number(k)) as PyValue, 'momentum_buffer')), e, `momentum ${k}`);
    }
  });
});

describe('torchFileFormat: the one sniffer', () => {
  it.each([
    ['state_zip.pth', 'zip'], ['state_legacy.pth', 'legacy'], ['state_zip_p4.pth', 'zip'], ['not_torch.bin', null],
  ] as const)('%s → %s', (file, format) => {
    expect(torchFileFormat(new Uint8Array(readFileSync(join(FIX, file))).subarray(0, 4))).toBe(format);
  });
  it('a legacy pickle at protocol 4 (FRAME first); a safetensors file whose header length starts 0x80 0x02 is not one', () => {
    expect(torchFileFormat(Uint8Array.of(0x80, 0x04, 0x95, 0x10))).toBe('legacy');
    const safetensorsHead = new Uint8Array(8);
    new DataView(safetensorsHead.buffer).setBigUint64(0, 0x0280n + 3n * 65536n, true); // an 196,736-byte JSON header
    expect(safetensorsHead.subarray(0, 2)).toEqual(Uint8Array.of(0x80, 0x02));
    expect(torchFileFormat(safetensorsHead)).toBeNull();
    expect(torchFileFormat(Uint8Array.of(0x80, 0x02))).toBeNull(); // too short to tell
  });
});

describe('errors', () => {
  it('truncated zip', () => {
    expect(() => loadTorchFile(join(FIX, 'truncated.pth'))).toThrow(/truncated or corrupt zip archive/);
  });
  it('truncated legacy storage', () => {
    expect(() => loadTorchFile(join(FIX, 'truncated_legacy.pth'))).toThrow(/storage '\d+' is truncated: needs 8 bytes, 4 left/);
  });
  it('zip storage record shorter than its element count', () => {
    // rewrite the persistent id's numel of the first storage from 12 to 13 elements, keeping the zip intact
    const bytes = new Uint8Array(readFileSync(join(FIX, 'state_zip.pth')));
    const needle = new TextEncoder().encode('X\x03\x00\x00\x00cpuq\x07K\x0c');
    let at = -1;
    for (let i = 0; i < bytes.length && at < 0; i++) if (needle.every((b, j) => bytes[i + j] === b)) at = i;
    expect(at).toBeGreaterThan(0);
    bytes[at + needle.length - 1] = 13;
    // data.pkl is stored, so its CRC no longer matches: that is caught first, naming the member
    expect(() => loadTorchFile(bytes)).toThrow(/corrupt zip archive: member 'state_zip\/data\.pkl' fails its CRC-32 check/);
    // with the CRC rewritten to match (local header and central directory), the short record itself is reported
    // (torch writes sizes and CRCs after the data, flag bit 3: the central directory holds them)
    const v = new DataView(bytes.buffer);
    let eocd = bytes.length - 22;
    while (v.getUint32(eocd, true) !== 0x06054b50) eocd--;
    const cd = v.getUint32(eocd + 16, true); // the first central entry is data.pkl's, its local header at 0
    const start = 30 + v.getUint16(26, true) + v.getUint16(28, true);
    v.setUint32(cd + 16, crc32(bytes.subarray(start, start + v.getUint32(cd + 20, true))), true);
    expect(() => loadTorchFile(bytes)).toThrow(/storage record 'state_zip\/data\/0' is truncated: 48 bytes, 13 float32 elements need 52/);
  });
  it('zip member whose data fails its CRC (one exponent bit of a weight flipped)', () => {
    const bytes = new Uint8Array(readFileSync(join(FIX, 'state_zip.pth')));
    const v = new DataView(bytes.buffer);
    const name = new TextEncoder().encode('state_zip/data/0');
    let p = 0;
    while (!(v.getUint32(p, true) === 0x04034b50 && name.every((b, j) => bytes[p + 30 + j] === b) && v.getUint16(p + 26, true) === name.length)) p++;
    bytes[p + 30 + v.getUint16(p + 26, true) + v.getUint16(p + 28, true) + 3] ^= 0x08; // the exponent of float 0
    expect(() => loadTorchFile(bytes)).toThrow(/corrupt zip archive: member 'state_zip\/data\/0' fails its CRC-32 check/);
  });
  it('not a torch file', () => {
    expect(() => loadTorchFile(join(FIX, 'not_torch.bin'))).toThrow(/not a PyTorch file/);
    expect(() => loadTorchFile(new Uint8Array(0))).toThrow(/not a PyTorch file/);
  });
  it('a pickle without the legacy magic number', () => {
    const p = new Uint8Array([0x80, 0x02, 0x4b, 0x05, 0x2e]); // pickle of the int 5
    expect(() => loadTorchFile(p)).toThrow(/does not start with the torch.save magic number/);
  });
  it('unsupported dtype', () => {
    expect(() => loadTorchFile(join(FIX, 'complex.pth'))).toThrow(/unsupported tensor dtype: storage class torch.ComplexFloatStorage/);
  });
  it('a whole pickled nn.Module names the refused class', () => {
    expect(() => loadTorchFile(join(FIX, 'whole_module.pth'))).toThrow(/'torch\.nn\.modules\.linear\.Linear'.*not in the allow-list/);
  });
});
