// Our models' state dicts must have torchvision's keys, order and PyTorch shapes (fixture written by
// scripts/fixtures/make_torchvision_keys.py with Debian's torchvision 0.14).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { createModel } from '../../src/zoo/index.js';

interface Fixture {
  models: Record<string, { params: number; keys: Array<[string, number[], string]> }>;
}
const fixture = JSON.parse(readFileSync('test/fixtures/torchvision/state_dict_keys.json', 'utf8')) as Fixture;

beforeAll(async () => {
  await useBackend('wasm');
});

describe.each(['resnet18', 'resnet34', 'resnet50', 'resnet101', 'vgg16_bn'])('%s state dict', (name) => {
  it('has torchvision keys in order, PyTorch shapes and the same parameter count', () => {
    const model = createModel(name);
    try {
      const expected = fixture.models[name]!;
      const shapes = model.stateShapes();
      expect([...shapes.keys()]).toEqual(expected.keys.map(([k]) => k));
      for (const [k, shape] of expected.keys) expect(shapes.get(k), k).toEqual(shape);
      expect(model.numParameters()).toBe(expected.params);
    } finally {
      model.dispose();
    }
  });
});

describe('state dict round trip', () => {
  it('stateDict → loadStateDict reproduces every tensor, with PyTorch layouts', () => {
    const a = createModel('resnet20_small', { numClasses: 7 });
    const b = createModel('resnet20_small', { numClasses: 7 });
    const sd = a.stateDict();
    expect(sd.get('conv1.weight')!.shape).toEqual([16, 3, 3, 3]);
    expect(sd.get('fc.weight')!.shape).toEqual([7, 64]);
    expect(sd.get('bn1.num_batches_tracked')!.dtype).toBe('int32');
    b.loadStateDict(sd);
    const sd2 = b.stateDict();
    for (const [k, t] of sd) {
      expect(sd2.get(k)!.shape, k).toEqual(t.shape);
      expect(tf.util.arraysEqual(sd2.get(k)!.dataSync(), t.dataSync()), k).toBe(true);
    }
    tf.dispose([...sd.values(), ...sd2.values()]);
    a.dispose();
    b.dispose();
  });

  it('strict loading lists missing, unexpected and mis-shaped keys', () => {
    const m = createModel('resnet20_small');
    const sd = m.stateDict();
    const w = sd.get('fc.weight')!;
    sd.delete('fc.weight');
    sd.set('fc.extra', tf.zeros([1]));
    sd.set('conv1.weight', tf.zeros([16, 3, 5, 5]));
    let msg = '';
    try {
      m.loadStateDict(sd);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/Missing keys \(1\):\n {2}fc\.weight/);
    expect(msg).toMatch(/Unexpected keys \(1\):\n {2}fc\.extra/);
    expect(msg).toMatch(/conv1\.weight: checkpoint \[16,3,5,5\] vs model \[16,3,3,3\]/);
    // Non-strict still refuses shape mismatches but tolerates missing/unexpected keys.
    sd.set('conv1.weight', tf.zeros([16, 3, 3, 3]));
    const r = m.loadStateDict(sd, { strict: false });
    expect(r.missingKeys).toEqual(['fc.weight']);
    expect(r.unexpectedKeys).toEqual(['fc.extra']);
    tf.dispose([w, ...sd.values()]);
    m.dispose();
  });
});

describe('model registry', () => {
  it('rejects unknown names and unknown config keys', () => {
    expect(() => createModel('resnet51')).toThrow(/unknown model 'resnet51'.*resnet/);
    expect(() => createModel('resnet18', { numClases: 3 } as never)).toThrow(/unknown config key 'numClases'/);
  });
});
