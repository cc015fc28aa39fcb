// The restricted pickle VM: values pickled by CPython at test time (protocols 2–5), allow-list enforcement and
// malicious inputs (which must fail by naming the global, with nothing executed).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { unpickle } from '../../src/interop/pickle.js';
import { NumpyArray, OrderedDict, isTuple, type PyValue } from '../../src/interop/py.js';
import { loadTorchFile } from '../../src/interop/torch_load.js';
import { FIX, PWNED_MARKER, py } from './helpers.js';

const MAKE = `
import pickle, argparse, collections, json, sys
import numpy as np
shared = ['s', 1]
obj = {
  'none': None, 't': True, 'f': False,
  'ints': [0, 1, 255, 256, 65535, 65536, -1, -2**31, 2**31 - 1, 2**31, 2**53, -(2**53), 2**64 + 5, -(2**100)],
  'safe': [2**53 - 1, -(2**53 - 1)],
  'floats': [0.0, -0.0, 1.5, 1e300, 1e-310, float('inf'), -float('inf')],
  'str': 'h\\u00e9llo \\u2713', 'long_str': 'x' * 300, 'empty_str': '',
  'bytes': b'\\x00\\xff ab', 'big_bytes': bytes(range(256)) * 2, 'bytearray': bytearray(b'xyz'),
  'tuple0': (), 'tuple1': (1,), 'tuple2': (1, 2), 'tuple3': (1, 2, 3), 'tuple5': (1, 2, 3, 4, (5,)),
  'nested': [[1, [2, [3]]], {'a': {'b': [None]}}],
  'intkeys': {0: 'a', 1: 'b', -5: 'c'},
  'set': {1, 2, 3}, 'frozenset': frozenset({'x'}),
  'od': collections.OrderedDict([('b', 1), ('a', 2)]),
  'ns': argparse.Namespace(lr=0.1, arch='r18', milestones=[30, 60]),
  'shared1': shared, 'shared2': shared,
  'many': list(range(2500)),
  'bigdict': {str(i): i for i in range(1200)},
  'np': [np.float64(71.234), np.float32(1.5), np.int32(-3), np.int64(2**60), np.bool_(True), np.float16(0.5),
         np.uint8(200)],
  'nparr': np.arange(6, dtype=np.int64).reshape(2, 3), 'nparr_be': np.array([1.5, -2.0], dtype='>f8'),
  'nparr0d': np.array(2.5, dtype=np.float32),
}
out = {str(p): pickle.dumps(obj, protocol=p).hex() for p in (2, 3, 4, 5)}
print(json.dumps(out))
`;

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
const get = (m: PyValue, k: PyValue): PyValue => (m as Map<PyValue, PyValue>).get(k) as PyValue;

describe('values pickled by CPython', () => {
  let pickles: Record<string, string> = {};
  beforeAll(() => {
    pickles = JSON.parse(py(MAKE)) as Record<string, string>;
  });

  it.each(['2', '3', '4', '5'])('protocol %s', (p) => {
    const { value: v, end } = unpickle(hex(pickles[p]));
    expect(end).toBe(pickles[p].length / 2);
    expect(v).toBeInstanceOf(Map);
    expect(get(v, 'none')).toBe(null);
    expect(get(v, 't')).toBe(true);
    expect(get(v, 'f')).toBe(false);
    expect(get(v, 'ints')).toEqual([0, 1, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2n ** 53n,
      -(2n ** 53n), 2n ** 64n + 5n, -(2n ** 100n)]);
    expect(get(v, 'safe')).toEqual([2 ** 53 - 1, -(2 ** 53 - 1)]);
    const fl = get(v, 'floats') as number[];
    expect(fl).toEqual([0, -0, 1.5, 1e300, 1e-310, Infinity, -Infinity]);
    expect(Object.is(fl[1], -0)).toBe(true);
    expect(get(v, 'str')).toBe('héllo ✓');
    expect(get(v, 'long_str')).toBe('x'.repeat(300));
    expect(get(v, 'empty_str')).toBe('');
    expect(get(v, 'bytes')).toEqual(new Uint8Array([0, 255, 32, 97, 98]));
    const big = new Uint8Array(512).map((_, i) => i % 256);
    expect(get(v, 'big_bytes')).toEqual(big);
    expect(get(v, 'bytearray')).toEqual(new TextEncoder().encode('xyz'));
    for (const [k, n] of [['tuple0', 0], ['tuple1', 1], ['tuple2', 2], ['tuple3', 3], ['tuple5', 5]] as const) {
      const t = get(v, k);
      expect(isTuple(t), k).toBe(true);
      expect((t as PyValue[]).length).toBe(n);
    }
    expect(get(v, 'tuple5')).toEqual([1, 2, 3, 4, [5]]);
    expect(isTuple((get(v, 'tuple5') as PyValue[])[4])).toBe(true);
    expect(get(v, 'nested')).toEqual([[1, [2, [3]]], new Map([['a', new Map([['b', [null]]])]])]);
    expect(get(v, 'intkeys')).toEqual(new Map<PyValue, PyValue>([[0, 'a'], [1, 'b'], [-5, 'c']]));
    expect(get(v, 'set')).toEqual(new Set([1, 2, 3]));
    expect(get(v, 'frozenset')).toEqual(new Set(['x']));
    const od = get(v, 'od');
    expect(od).toBeInstanceOf(OrderedDict);
    expect([...(od as OrderedDict).entries()]).toEqual([['b', 1], ['a', 2]]);
    expect(get(v, 'ns')).toEqual({ lr: 0.1, arch: 'r18', milestones: [30, 60] });
    expect(get(v, 'shared1')).toBe(get(v, 'shared2')); // memo keeps identity
    expect(get(v, 'many')).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    const bd = get(v, 'bigdict') as Map<PyValue, PyValue>;
    expect(bd.size).toBe(1200);
    expect(bd.get('1199')).toBe(1199);
    expect(get(v, 'np')).toEqual([71.234, 1.5, -3, 2n ** 60n, true, 0.5, 200]);
    const arr = get(v, 'nparr') as NumpyArray;
    expect(arr).toBeInstanceOf(NumpyArray);
    expect(arr.descr).toBe('i8');
    expect(arr.shape).toEqual([2, 3]);
    expect([...(arr.data as BigInt64Array)]).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    const be = get(v, 'nparr_be') as NumpyArray;
    expect([...(be.data as Float64Array)]).toEqual([1.5, -2]);
    const a0 = get(v, 'nparr0d') as NumpyArray;
    expect(a0.shape).toEqual([]);
    expect([...(a0.data as Float32Array)]).toEqual([2.5]);
  });
});

const b = (...parts: (string | number[])[]): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else out.push(...p);
  }
  return Uint8Array.from(out);
};

describe('allow-list and malformed input', () => {
  beforeAll(() => rmSync(PWNED_MARKER, { force: true }));

  it.each([
    ['malicious_os_system.pkl', /'os\.system'.*not in the allow-list.*nothing was executed/],
    ['malicious_eval_p4.pth', /'builtins\.eval'.*not in the allow-list/],
    ['malicious_popen.pth', /'commands\.Popen'.*not in the allow-list/], // protocol 2 maps subprocess → commands
  ])('%s is refused and nothing runs', (file, re) => {
    expect(() => loadTorchFile(join(FIX, file))).toThrow(re);
    expect(existsSync(PWNED_MARKER)).toBe(false);
  });

  it('the raw malicious pickle through unpickle', () => {
    expect(() => unpickle(new Uint8Array(readFileSync(join(FIX, 'malicious_os_system.pkl'))))).toThrow(/os\.system/);
    expect(existsSync(PWNED_MARKER)).toBe(false);
  });

  it.each([
    ['getattr via GLOBAL', b([0x80, 2], 'c__builtin__\ngetattr\n.'), /'__builtin__\.getattr'.*not in the allow-list/],
    ['STACK_GLOBAL posix.system', b([0x80, 4, 0x8c, 5], 'posix', [0x8c, 6], 'system', [0x93], '.'), /'posix\.system'/],
    ['calling an allow-listed non-callable', b([0x80, 2], 'ctorch\nFloatStorage\n)R.'), /calling torch\.FloatStorage is not allowed/],
    ['REDUCE on a non-global', b([0x80, 2], '])R.'), /REDUCE on a non-global/],
    ['NEWOBJ on OrderedDict', b([0x80, 2], 'ccollections\nOrderedDict\n)', [0x81], '.'), /NEWOBJ: calling collections\.OrderedDict/],
    ['BUILD on a dict', b([0x80, 2], '}}b.'), /BUILD on Map/],
    ['INST', b('(ios\nsystem\n.'), /INST.*not allowed/],
    ['truncated string', b([0x80, 2], 'X', [16, 0, 0, 0], 'ab'), /truncated pickle/],
    ['no STOP', b([0x80, 2], 'K', [1]), /truncated pickle/],
    ['unknown opcode', b([0x80, 2, 0xff]), /unknown opcode 0xff/],
    ['protocol 6', b([0x80, 6], 'N.'), /unsupported pickle protocol 6/],
    ['persistent id without a loader', b([0x80, 2], 'NQ.'), /no persistent_load/],
    ['tensor rebuild outside the torch loader', b([0x80, 2], 'ctorch._utils\n_rebuild_tensor_v2\n(NK', [0], ')))tR.'),
      /only be rebuilt by the torch loader/],
    ['codecs with an odd encoding', b([0x80, 2], 'c_codecs\nencode\nX', [1, 0, 0, 0], 'aX', [5, 0, 0, 0], 'rot13', [0x86], 'R.'),
      /unsupported encoding 'rot13'/],
  ])('%s', (_name, bytes, re) => {
    expect(() => unpickle(bytes)).toThrow(re);
  });
});
