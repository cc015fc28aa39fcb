// saveTorchFile round trips with the torch 1.13 oracle: TS writes → torch.load checks bits, shapes, dtypes, container
// types and 64-byte alignment; torch.save → TS load → TS save → torch compares with the original.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrderedDict, PyFloat, isTuple, tuple, type PyValue } from '../../src/interop/py.js';
import { TorchTensor, allocData, tensorBytes, type TorchDtype } from '../../src/interop/tensor.js';
import { loadTorchFile } from '../../src/interop/torch_load.js';
import { saveTorchFile, type SaveValue } from '../../src/interop/torch_save.js';
import { expectTensorEqual, py, tmp } from './helpers.js';

// xorshift32: deterministic test data
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function randomTensor(dtype: TorchDtype, shape: number[], seed: number): TorchTensor {
  const next = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = allocData(dtype, n);
  for (let i = 0; i < n; i++) {
    const r = next();
    switch (dtype) {
      case 'float32': case 'float16': case 'bfloat16': (data as Float32Array)[i] = ((r / 2 ** 32) - 0.5) * 2 ** ((r & 31) - 12); break;
      case 'float64': (data as Float64Array)[i] = ((r / 2 ** 32) - 0.5) * 1e3 + next() / 2 ** 52; break;
      case 'int64': (data as BigInt64Array)[i] = BigInt.asIntN(64, (BigInt(r) << 32n) | BigInt(next())); break;
      case 'int32': (data as Int32Array)[i] = r | 0; break;
      case 'int16': (data as Int16Array)[i] = r & 0xffff; break;
      case 'int8': (data as Int8Array)[i] = r & 0xff; break;
      case 'uint8': (data as Uint8Array)[i] = r & 0xff; break;
      case 'bool': (data as Uint8Array)[i] = r & 1; break;
    }
  }
  return new TorchTensor(dtype, shape, data);
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const f64hex = (x: number): string => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, false);
  return hex(b);
};

// JSON description shared by the TS side and the python oracle (floats as big-endian IEEE hex, tensors as raw bytes).
type Desc = Record<string, unknown>;
function descTS(v: SaveValue): Desc {
  if (v instanceof TorchTensor) {
    return { tensor: v.dtype, shape: v.shape, param: v.requiresGrad, rg: v.requiresGrad, hex: hex(tensorBytes(v)) };
  }
  if (v instanceof OrderedDict) return { od: [...v].map(([k, x]) => [descTS(k), descTS(x)]) };
  if (v instanceof Map) return { dict: [...v].map(([k, x]) => [descTS(k as SaveValue), descTS(x as SaveValue)]) };
  if (Array.isArray(v)) return Object.isFrozen(v) ? { tuple: v.map((x) => descTS(x as SaveValue)) } : { list: v.map((x) => descTS(x as SaveValue)) };
  if (typeof v === 'boolean') return { bool: v };
  if (typeof v === 'number' && Number.isInteger(v) && !Object.is(v, -0)) return { int: String(v) };
  if (typeof v === 'number') return { float: f64hex(v) };
  if (v instanceof PyFloat) return { float: f64hex(v.value) };
  if (typeof v === 'bigint') return { int: v.toString() };
  if (typeof v === 'string') return { str: v };
  if (v instanceof Uint8Array) return { bytes: hex(v) };
  if (v === null) return { none: null };
  if (v instanceof Set) return { set: [...v].map((x) => descTS(x as SaveValue)).sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1) };
  if (typeof v === 'object') return { dict: Object.entries(v).map(([k, x]) => [{ str: k }, descTS(x as SaveValue)]) };
  throw new Error(`descTS: ${String(v)}`);
}

const DESC_PY = `
import torch, sys, json, zipfile, struct, collections
def desc(v):
    if isinstance(v, torch.Tensor):
        t = v.detach().contiguous()
        bits = t.view(torch.int16) if t.dtype in (torch.float16, torch.bfloat16) else t
        return {'tensor': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape),
                'param': isinstance(v, torch.nn.Parameter), 'rg': v.requires_grad, 'hex': bits.numpy().tobytes().hex()}
    if isinstance(v, collections.OrderedDict): return {'od': [[desc(k), desc(x)] for k, x in v.items()]}
    if isinstance(v, dict): return {'dict': [[desc(k), desc(x)] for k, x in v.items()]}
    if isinstance(v, tuple): return {'tuple': [desc(x) for x in v]}
    if isinstance(v, list): return {'list': [desc(x) for x in v]}
    if isinstance(v, bool): return {'bool': v}
    if isinstance(v, int): return {'int': str(v)}
    if isinstance(v, float): return {'float': struct.pack('>d', v).hex()}
    if isinstance(v, str): return {'str': v}
    if isinstance(v, bytes): return {'bytes': v.hex()}
    if v is None: return {'none': None}
    if isinstance(v, set): return {'set': sorted((desc(x) for x in v), key=json.dumps)}
    raise TypeError(type(v))
`;

const CHECK_PY = `${DESC_PY}
f = sys.argv[1]
raw = open(f, 'rb').read()
align = []
for info in zipfile.ZipFile(f).infolist():
    n, m = struct.unpack('<HH', raw[info.header_offset + 26: info.header_offset + 30])
    align.append([info.filename, (info.header_offset + 30 + n + m) % 64, info.compress_type])
d = torch.load(f)
sd = d['state_dict']
half_ok = torch.equal(sd['h16'].view(torch.int16), sd['h_src'].half().view(torch.int16))
# torch 1.13's vectorised CPU path turns NaN into 0xffff, its scalar c10::BFloat16 into 0x7fc0 (ours): NaN stays NaN
nan = torch.isnan(sd['h_src'])
bf16_ok = (torch.equal(sd['b16'].view(torch.int16)[~nan], sd['h_src'].bfloat16().view(torch.int16)[~nan])
           and bool(torch.isnan(sd['b16'][nan].float()).all()) and int(nan.sum()) > 0)
# the loaded tensors are usable: a real computation on them
y = torch.nn.functional.linear(torch.ones(1, 4), sd['fc.weight'], sd['fc.bias'])
print(json.dumps({'align': align, 'value': desc(d), 'half_ok': half_ok, 'bf16_ok': bf16_ok, 'y': y.tolist()}))
`;

describe('TS saveTorchFile → torch.load (1.13)', () => {
  const dir = tmp();
  const file = join(dir, 'ts_written.pth');
  const sd = new OrderedDict();
  const dtypes: TorchDtype[] = ['float32', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool', 'float16', 'bfloat16'];
  dtypes.forEach((dt, i) => sd.set(`t_${dt}`, randomTensor(dt, [2, 3, 2], 100 + i)));
  sd.set('fc.weight', randomTensor('float32', [3, 4], 7));
  sd.set('fc.bias', randomTensor('float32', [3], 8));
  sd.set('scalar', TorchTensor.from(new Float32Array([2.5]), []));
  sd.set('num_batches_tracked', TorchTensor.from(new BigInt64Array([12345678901234n]), []));
  sd.set('empty', TorchTensor.from(new Float32Array(0), [0, 4]));
  const p = randomTensor('float32', [2, 2], 9);
  p.requiresGrad = true;
  sd.set('param', p);
  // float16 / bfloat16 rounding against torch: random float32 bit patterns (NaN, inf, subnormals) plus ties
  const next = rng(4242);
  const bits = new Uint32Array(4096).map(() => next());
  bits.set([0x33000000, 0x33000001, 0x387fc000, 0x38800000, 0x477fefff, 0x477ff000, 0x3f801000, 0x3f803000,
    0x3f808000, 0x3f818000, 0x7f7fffff, 0x7fc00000, 0xffc00000, 0x80000000, 0x7f800000, 0x00000001]);
  const src = new Float32Array(bits.buffer);
  sd.set('h_src', TorchTensor.from(src, [4096]));
  sd.set('h16', new TorchTensor('float16', [4096], src.slice()));
  sd.set('b16', new TorchTensor('bfloat16', [4096], src.slice()));
  const ckpt: SaveValue = {
    state_dict: sd, epoch: 42, best_prec1: 71.234, best_int_float: new PyFloat(76), cfg: [64, 128, 256],
    arch: tuple('resnet50', 'fanin', 1000, [1, 2]), name: 'chex ✓', raw: new Uint8Array([0, 1, 200, 255]), none: null,
    flags: [true, false], big: 2n ** 80n, neg: -(2 ** 40), negf: -0.0, inf: Infinity, set: new Set([3, 1]),
    nested: new Map<SaveValue, SaveValue>([[0, { a: 1 }], [tuple(1, 2), 'tuple key']]),
  };
  saveTorchFile(file, ckpt);
  const out = JSON.parse(py(CHECK_PY, file)) as { align: [string, number, number][]; value: Desc; half_ok: boolean; bf16_ok: boolean; y: number[][] };

  it('torch.load sees the same containers, scalars and tensor bytes', () => {
    const want = descTS(ckpt);
    expect(out.value).toEqual(want);
  });
  it('requires_grad tensors come back as nn.Parameter', () => {
    const entries = (out.value.dict as [Desc, Desc][]);
    const sdDesc = entries.find(([k]) => k.str === 'state_dict')?.[1].od as [Desc, Desc][];
    const param = sdDesc.find(([k]) => k.str === 'param')?.[1];
    expect(param?.param).toBe(true);
    expect(param?.rg).toBe(true);
  });
  it('float16 and bfloat16 narrowing rounds exactly as torch .half() / .bfloat16()', () => {
    expect(out.half_ok).toBe(true);
    expect(out.bf16_ok).toBe(true);
  });
  it('entries are stored and every record starts 64-byte aligned', () => {
    expect(out.align.map((a) => a[0])).toContain('archive/data.pkl');
    for (const [name, mod, method] of out.align) {
      expect(mod, name).toBe(0);
      expect(method, name).toBe(0);
    }
  });
  it('torch computes with the loaded weights', () => {
    const w = sd.get('fc.weight') as TorchTensor;
    const bias = sd.get('fc.bias') as TorchTensor;
    const y = [0, 1, 2].map((o) => Math.fround([0, 1, 2, 3].reduce((s, i) => s + (w.data[o * 4 + i] as number), 0) + (bias.data[o] as number)));
    out.y[0].forEach((v, i) => expect(v).toBeCloseTo(y[i], 4));
  });
  it('TS reads its own file back identically', () => {
    const back = loadTorchFile(file) as Map<PyValue, PyValue>;
    const bsd = back.get('state_dict') as OrderedDict;
    for (const [k, t] of sd) {
      const u = bsd.get(k) as TorchTensor;
      expect(u.requiresGrad, String(k)).toBe((t as TorchTensor).requiresGrad);
      if ((t as TorchTensor).dtype === 'float16' || (t as TorchTensor).dtype === 'bfloat16') {
        expect(hex(tensorBytes(u))).toBe(hex(tensorBytes(t as TorchTensor)));
      } else {
        expectTensorEqual(u, t as TorchTensor, String(k));
      }
    }
    expect(isTuple(back.get('arch') as PyValue)).toBe(true);
    expect(back.get('best_int_float')).toBe(76);
    expect(back.get('big')).toBe(2n ** 80n);
    expect(back.get('set')).toEqual(new Set([1, 3]));
  });
  it('writes atomically (no temp files left) and overwrites', () => {
    saveTorchFile(file, { x: 1 });
    expect(readdirSync(dir)).toEqual(['ts_written.pth']);
    expect(loadTorchFile(file)).toEqual(new Map([['x', 1]]));
  });
});

const MAKE_PY = `
import torch, collections, argparse, numpy as np, sys
g = torch.Generator().manual_seed(5)
sd = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8), torch.nn.Flatten(), torch.nn.Linear(8, 4)).state_dict()
sd['extra.f64'] = torch.randn(3, 3, generator=g, dtype=torch.float64).t()
sd['extra.f16'] = torch.randn(10, generator=g).half()[::3]
sd['extra.bf16'] = torch.randn(4, 2, generator=g).bfloat16()
sd['extra.i32'] = torch.randint(-2**31, 2**31 - 1, (5,), generator=g, dtype=torch.int32)
sd['extra.i8'] = torch.randint(-128, 127, (2, 2), generator=g, dtype=torch.int8)
sd['extra.u8'] = torch.randint(0, 255, (3,), generator=g, dtype=torch.uint8)
sd['extra.i16'] = torch.randint(-2**15, 2**15 - 1, (3,), generator=g, dtype=torch.int16)
sd['extra.bool'] = torch.rand(7, generator=g) > 0.5
sd['extra.i64'] = torch.tensor([-2**63, 2**63 - 1, 0])
sd['extra.expand'] = torch.randn(2, 1, generator=g).expand(2, 3)
base = torch.randn(30, generator=g)
sd['extra.view_a'] = base[3:9].view(2, 3)
sd['extra.view_b'] = base.view(5, 6)[1:, ::2]
ck = {'state_dict': sd, 'epoch': 9, 'best_prec1': np.float64(55.5), 'cfg': [[8], [16, 16]], 'arch': ('r18', 10)}
torch.save(ck, sys.argv[1])
torch.save(ck, sys.argv[2], _use_new_zipfile_serialization=False)
`;

const COMPARE_PY = `
import torch, sys
def eq(a, b, where):
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor), where
        assert a.dtype == b.dtype and a.shape == b.shape, (where, a.dtype, b.dtype, a.shape, b.shape)
        assert a.requires_grad == b.requires_grad, where
        x, y = a.detach().contiguous(), b.detach().contiguous()
        if x.dtype.is_floating_point:
            x, y = x.view({2: torch.int16, 4: torch.int32, 8: torch.int64}[x.element_size()]), y.view({2: torch.int16, 4: torch.int32, 8: torch.int64}[y.element_size()])
        assert torch.equal(x, y), where
    elif isinstance(a, dict):
        assert type(a) == type(b), (where, type(a), type(b))
        assert list(a.keys()) == list(b.keys()), where
        for k in a: eq(a[k], b[k], where + '/' + str(k))
        assert getattr(a, '_metadata', None) == getattr(b, '_metadata', None), where
    elif isinstance(a, (list, tuple)):
        assert type(a) == type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)): eq(x, y, where + '/' + str(i))
    else:
        assert float(a) == float(b) if not isinstance(a, str) else a == b, (where, a, b)
orig = torch.load(sys.argv[1])
for f in sys.argv[2:]:
    eq(orig, torch.load(f), f)
print('OK', len(orig['state_dict']))
`;

describe('torch.save → TS load → TS save → torch.load', () => {
  it('zip and legacy originals survive a TS round trip bit-exactly', () => {
    const dir = tmp();
    const a = join(dir, 'a.pth');
    const aLegacy = join(dir, 'a_legacy.pth');
    py(MAKE_PY, a, aLegacy);
    const b = join(dir, 'b.pth');
    const c = join(dir, 'c.pth');
    saveTorchFile(b, loadTorchFile(a) as SaveValue);
    saveTorchFile(c, loadTorchFile(aLegacy) as SaveValue);
    expect(py(COMPARE_PY, a, b, c).trim()).toBe('OK 21');
  });

  it('a broken TS file is rejected by torch too (the oracle can fail)', () => {
    const dir = tmp();
    const bad = join(dir, 'bad.pth');
    writeFileSync(bad, new Uint8Array([1, 2, 3]));
    expect(() => py('import torch, sys; torch.load(sys.argv[1])', bad)).toThrow(/python exited 1/);
  });
});

describe('save errors', () => {
  it('rejects circular references and bare typed arrays', () => {
    const dir = tmp();
    const loop: SaveValue[] = [];
    loop.push(loop);
    expect(() => saveTorchFile(join(dir, 'x.pth'), loop)).toThrow(/circular reference/);
    expect(() => saveTorchFile(join(dir, 'x.pth'), { w: new Float32Array(2) as unknown as SaveValue })).toThrow(/wrap typed arrays in a TorchTensor/);
    expect(readdirSync(dir)).toEqual([]);
  });
  it('TorchTensor validates shape against data', () => {
    expect(() => TorchTensor.from(new Float32Array(5), [2, 3])).toThrow(/data length 5 does not match shape \[2, 3\]/);
    expect(() => new TorchTensor('int64', [2], new Float32Array(2))).toThrow(/dtype 'int64' expects BigInt64Array/);
  });
});
