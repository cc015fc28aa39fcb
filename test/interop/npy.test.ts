// .npy read/write against numpy: committed fixtures (Fortran order, v2 header, big-endian, bool, 0-d) and
// TS-written files loaded by numpy at test time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy, readNpy, writeNpy } from '../../src/interop/npy.js';
import { TorchTensor, allocData, type TorchDtype } from '../../src/interop/tensor.js';
import { FIX, expectSameValues, py, tmp } from './helpers.js';

const expected = JSON.parse(readFileSync(join(FIX, 'npy.json'), 'utf8')) as
  Record<string, { dtype: TorchDtype; shape: number[]; values: number[] }>;

describe('numpy-written fixtures', () => {
  it.each(Object.keys(expected))('%s', (file) => {
    const e = expected[file];
    const t = readNpy(join(FIX, file));
    expect(t.dtype).toBe(e.dtype);
    expect(t.shape).toEqual(e.shape);
    expectSameValues([...t.data].map(Number), e.values, file);
  });
});

describe('TS-written .npy loaded by numpy', () => {
  const dtypes: TorchDtype[] = ['float32', 'float64', 'float16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];
  it.each(dtypes)('%s', (dtype) => {
    const n = 6;
    const data = allocData(dtype, n);
    for (let i = 0; i < n; i++) {
      const v = (i - 2) * 3 + (dtype.startsWith('float') ? 0.25 : 0);
      if (data instanceof BigInt64Array) data[i] = BigInt(v) * 1_000_000_000_000n;
      else if (dtype === 'bool') data[i] = i % 2;
      else if (dtype === 'uint8') data[i] = v + 10;
      else (data as Float32Array)[i] = v;
    }
    const t = new TorchTensor(dtype, [2, 3], data);
    const dir = tmp();
    const f = join(dir, 'a.npy');
    writeNpy(f, t);
    const out = JSON.parse(py(`
import numpy as np, sys, json
a = np.load(sys.argv[1])
raw = open(sys.argv[1], 'rb').read()
print(json.dumps({'dtype': a.dtype.str, 'shape': list(a.shape), 'c': bool(a.flags.c_contiguous),
  'values': [str(x) for x in a.flatten().tolist()], 'aligned': (len(raw) - a.nbytes) % 64 == 0}))
`, f)) as { dtype: string; shape: number[]; c: boolean; values: string[]; aligned: boolean };
    const descr: Record<string, string> = { float32: '<f4', float64: '<f8', float16: '<f2', int64: '<i8', int32: '<i4',
      int16: '<i2', int8: '|i1', uint8: '|u1', bool: '|b1' };
    expect(out.dtype).toBe(descr[dtype]);
    expect(out.shape).toEqual([2, 3]);
    expect(out.aligned).toBe(true);
    const mine = [...t.data].map((x) => (dtype === 'bool' ? (x ? 'True' : 'False') : dtype.startsWith('float') ? String(Number(x).toFixed(2)) : String(x)));
    expect(out.values.map((s) => (dtype.startsWith('float') ? Number(s).toFixed(2) : s))).toEqual(mine);
    // and back into TS
    const back = readNpy(f);
    expect(back.dtype).toBe(dtype);
    expectSameValues(back.data, t.data, dtype);
  });

  it('0-d and 1-d shapes', () => {
    const s = parseNpy(encodeNpy(TorchTensor.from(new Float64Array([7.5]), [])));
    expect(s.shape).toEqual([]);
    expect(s.data[0]).toBe(7.5);
    const v = parseNpy(encodeNpy(TorchTensor.from(new Int32Array([1, 2, 3]), [3])));
    expect(v.shape).toEqual([3]);
  });
});

describe('npy errors', () => {
  it('bad magic, truncated data, unsupported dtype, bfloat16', () => {
    expect(() => parseNpy(new Uint8Array(20))).toThrow(/not a .npy file/);
    const good = encodeNpy(TorchTensor.from(new Float32Array([1, 2, 3, 4]), [4]));
    expect(() => parseNpy(good.subarray(0, good.length - 1))).toThrow(/truncated .npy data: 15 bytes, needs 16/);
    const complex = good.slice();
    const at = new TextDecoder('latin1').decode(good).indexOf("'<f4'");
    complex.set([0x63, 0x38], at + 2); // '<c8'
    expect(() => parseNpy(complex)).toThrow(/unsupported .npy dtype '<c8'/);
    expect(() => encodeNpy(new TorchTensor('bfloat16', [1], new Float32Array(1)))).toThrow(/bfloat16' has no .npy equivalent/);
  });
});
