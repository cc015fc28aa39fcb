// flattenStateDict / stripPrefix / describeCheckpoint on real torch files and synthetic checkpoint shapes.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCheckpoint } from '../../src/checkpoint/describe.js';
import { flattenStateDict, stripKey, stripPrefix } from '../../src/checkpoint/state_dict.js';
import { OrderedDict, type PyValue } from '../../src/interop/py.js';
import { TorchTensor } from '../../src/interop/tensor.js';
import { loadTorchFile } from '../../src/interop/torch_load.js';
import { FIX } from '../interop/helpers.js';

const t = (n: number): TorchTensor => TorchTensor.from(new Float32Array(n).fill(n), [n]);

describe('flattenStateDict', () => {
  it('finds state_dict in the CHEX-like checkpoint, keeps order, skips the optimizer', () => {
    const sd = flattenStateDict(loadTorchFile(join(FIX, 'chex_like.pth.tar')));
    expect([...sd.keys()]).toEqual(['module.conv1.weight', 'module.bn1.weight', 'module.bn1.bias', 'module.bn1.running_mean',
      'module.bn1.running_var', 'module.bn1.num_batches_tracked', 'module.fc.weight', 'module.fc.bias']);
    expect(sd.get('module.conv1.weight')?.shape).toEqual([4, 3, 3, 3]);
  });

  it('accepts a bare state dict', () => {
    const sd = flattenStateDict(loadTorchFile(join(FIX, 'state_zip.pth')));
    expect(sd.size).toBe(20);
    expect(sd.get('param')?.requiresGrad).toBe(true);
  });

  it.each(['model', 'model_ema', 'net'])('finds %s', (key) => {
    const inner = new OrderedDict([['a.weight', t(2)], ['a.bias', t(1)]]);
    const sd = flattenStateDict(new Map<PyValue, PyValue>([['epoch', 3], [key, inner]]));
    expect([...sd.keys()]).toEqual(['a.weight', 'a.bias']);
  });

  it('prefers state_dict over model over model_ema; explicit key wins', () => {
    const ck = new Map<PyValue, PyValue>([['model_ema', new Map([['ema', t(1)]])], ['model', new Map([['m', t(1)]])]]);
    expect([...flattenStateDict(ck).keys()]).toEqual(['m']);
    expect([...flattenStateDict(ck, 'model_ema').keys()]).toEqual(['ema']);
    expect(() => flattenStateDict(ck, 'nope')).toThrow(/key 'nope' not found \(keys: model_ema, model\)/);
  });

  it('descends into {model: {state_dict: ...}} and joins nested dicts with dots', () => {
    const ck = new Map<PyValue, PyValue>([['model', new Map<PyValue, PyValue>([['state_dict',
      new Map<PyValue, PyValue>([['layer1', new Map<PyValue, PyValue>([['0', new Map([['w', t(3)]])]])], ['fc.b', t(2)]])]])]]);
    expect([...flattenStateDict(ck).keys()]).toEqual(['layer1.0.w', 'fc.b']);
  });

  it('throws on a dict without tensors', () => {
    expect(() => flattenStateDict(new Map<PyValue, PyValue>([['epoch', 1], ['cfg', [1]]]))).toThrow(/no state dict found.*keys: epoch, cfg/);
    expect(() => flattenStateDict(5)).toThrow(/expected a dict checkpoint/);
  });
});

describe('stripPrefix', () => {
  it('strips a leading module. from keys and Maps', () => {
    expect(stripPrefix(['module.a', 'b', 'x.module.c'])).toEqual(['a', 'b', 'x.module.c']);
    const m = stripPrefix(new Map([['module.conv.weight', 1], ['fc.bias', 2]]));
    expect([...m]).toEqual([['conv.weight', 1], ['fc.bias', 2]]);
    expect(stripPrefix(['backbone.x'], 'backbone.')).toEqual(['x']);
  });
  it('refuses collisions', () => {
    expect(() => stripPrefix(new Map([['module.a', 1], ['a', 2]]))).toThrow(/collide/);
  });
});

describe('describeCheckpoint', () => {
  it('summarises the CHEX-like checkpoint', () => {
    const s = describeCheckpoint(loadTorchFile(join(FIX, 'chex_like.pth.tar')));
    for (const line of [
      'checkpoint: dict with 9 keys', '  epoch = 42', '  arch = ("resnet50", "fanin", 1000, [4, 8, 8])',
      '  best_prec1 = 71.234', '  cfg = [4, 8, 8]', '  mask_ratio = ndarray f4 [3]', '  state_dict: state dict (8 entries)',
      '  optimizer: dict(2 keys: state, param_groups)', '  args: namespace', '    lr = 0.1',
      "state dict: 8 tensors, 175 values (7 float32, 1 int64), 8 keys with 'module.' prefix",
      '  module.conv1.weight: float32 [4, 3, 3, 3]', '  module.bn1.num_batches_tracked: int64 []',
    ]) {
      expect(s.split('\n')).toContain(line);
    }
  });
  it('summarises a bare state dict and elides long lists', () => {
    const s = describeCheckpoint(loadTorchFile(join(FIX, 'state_zip.pth')), { maxTensors: 3 });
    expect(s.split('\n')[0]).toBe('checkpoint: bare state dict');
    expect(s).toContain('  f32: float32 [3, 4]');
    expect(s).toContain('  … 17 more');
    expect(s).not.toContain('i64_extremes:');
    expect(describeCheckpoint(loadTorchFile(join(FIX, 'state_zip.pth')))).toContain('  param: float32 [2, 2] requires_grad');
  });
});

describe('the one prefix rule (stripKey)', () => {
  it('removes every leading copy, nothing else; an empty prefix keeps keys', () => {
    expect(stripKey('module.module.fc.weight')).toBe('fc.weight');
    expect(stripKey('x.module.c')).toBe('x.module.c');
    expect(stripKey('module.fc', '')).toBe('module.fc');
    expect(stripPrefix(['module.module.a'])).toEqual(['a']);
    expect(() => stripPrefix(new Map([['module.module.a', 1], ['module.a', 2]]))).toThrow(/'module\.module\.a' and 'module\.a' collide after removing 'module\.' \(both give 'a'\)/);
  });
});
