// Loading PyTorch checkpoints (fixtures from scripts/fixtures/make_checkpoint_fixtures.py, torch 1.13) into chanlab
// models on wasm: logits must match PyTorch's eval-mode logits (≤ 1e-4 · max(1, max|logit|)).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { type CheckpointMetadata, compactChexState, loadChexCheckpoint, loadCheckpointIntoModel, readCheckpoint } from '../../src/checkpoint/index.js';
import { OrderedDict, type PyValue } from '../../src/interop/py.js';
import { TorchTensor } from '../../src/interop/tensor.js';
import { loadTorchFile } from '../../src/interop/torch_load.js';
import { ChexResNet } from '../../src/models/chex_resnet.js';
import type { ResNet } from '../../src/models/resnet.js';
import { createModel } from '../../src/zoo/index.js';
import { expectLogitsClose, fix, logitsOf, narrowResNet18, narrowResNet50, PIX_NARROW } from './helpers.js';

interface Manifest {
  chex_r50: { cfg: number[]; default_cfg: number[]; keys: number };
  pix_r50_narrow: { keys: string[]; shapes: number[][] };
}
const manifest = JSON.parse(readFileSync(fix('manifest.json'), 'utf8')) as Manifest;
const X = fix('x.npy');

beforeAll(async () => {
  await useBackend('wasm');
});
afterAll(() => {
  expect(tf.memory().numTensors).toBeLessThan(5000);
});

describe('torchvision ResNets', () => {
  it('bare zip state dict → narrow ResNet-18: logits match PyTorch', () => {
    const m = narrowResNet18();
    const r = loadCheckpointIntoModel(m, fix('resnet18_narrow.pth'));
    expect(r.stateDictKey).toBe('');
    expect(r.missingKeys).toEqual([]);
    expectLogitsClose(logitsOf(m, X), fix('resnet18_narrow_logits.npy'));
    const sd = m.stateDict();
    expect(sd.get('layer1.0.bn1.num_batches_tracked')!.dataSync()[0]).toBe(4);
    tf.dispose([...sd.values()]);
    m.dispose();
  });

  // [test, model, checkpoint, state-dict key, metadata fields, PyTorch's logits]
  const keyed: Array<[string, () => ResNet, string, string, Partial<CheckpointMetadata>, string]> = [
    ['legacy-format dict with module. keys: prefix stripped, metadata returned', narrowResNet18, 'resnet18_narrow_legacy.pth',
      'state_dict', { epoch: 7, bestPrec1: 12.5 }, 'resnet18_narrow_logits.npy'],
    ["narrow Bottleneck ResNet-50 under 'model' with an argparse Namespace", narrowResNet50, 'resnet50_narrow.pth',
      'model', { epoch: 2, args: { model: 'resnet50', lr: 0.1, epochs: 3, drop: 0 } }, 'resnet50_narrow_logits.npy'],
  ];
  it.each(keyed)('%s', (_, make, file, key, metadata, logits) => {
    const m = make();
    const r = loadCheckpointIntoModel(m, fix(file));
    expect(r.stateDictKey).toBe(key);
    for (const k of Object.keys(metadata) as Array<keyof CheckpointMetadata>) expect(r.metadata[k], k).toEqual(metadata[k]);
    expectLogitsClose(logitsOf(m, X), fix(logits));
    m.dispose();
  });

  it('DGC-style .pth.tar (epoch, module. state_dict in float16, best_prec1, optimizer) loads as float32', () => {
    const raw = loadTorchFile(fix('dgc_resnet18_fp16.pth.tar'));
    const sd = readCheckpoint(raw).stateDict;
    expect(sd.get('conv1.weight')!.dtype).toBe('float16');
    expect(sd.get('bn1.num_batches_tracked')!.dtype).toBe('int64');
    const m = narrowResNet18();
    const r = loadCheckpointIntoModel(m, raw);
    expect(r.metadata).toMatchObject({ epoch: 29, bestPrec1: 95.23 });
    expect(Object.keys(r.metadata.extra)).toEqual([]); // optimizer is not metadata
    expectLogitsClose(logitsOf(m, X), fix('dgc_resnet18_fp16_logits.npy'));
    m.dispose();
  });
});

describe('CHEX checkpoints', () => {
  it('full-size masked training checkpoint: loads into the plain ResNet and into the inferred ChexResNet', () => {
    const plain = narrowResNet50();
    const r = loadCheckpointIntoModel(plain, fix('chex_r50_masked.pth.tar'));
    expect(r.metadata.epoch).toBe(249);
    expect(r.metadata.bestPrec1).toBe(77.25); // numpy float64 scalar
    expect(r.metadata.arch).toEqual(['resnet50', 'fanin', 10, null]);
    expectLogitsClose(logitsOf(plain, X), fix('chex_r50_masked_logits.npy'));
    plain.dispose();

    const c = loadChexCheckpoint(fix('chex_r50_masked.pth.tar'), { arch: 'chex_resnet50' });
    expect(c.compact).toBe(false);
    expect(c.cfg).toEqual(manifest.chex_r50.default_cfg);
    expect(c.model.stateShapes().size).toBe(manifest.chex_r50.keys);
    expectLogitsClose(logitsOf(c.model, X), fix('chex_r50_masked_logits.npy'));
    // pruned channels are zero in the loaded model
    const w = c.model.stateDict();
    const rows = w.get('layer1.0.conv1.weight')!;
    const zeroRows = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.sum(tf.abs(rows), [1, 2, 3]), 0), 'int32')).dataSync()[0]);
    expect(zeroRows).toBeGreaterThan(0);
    tf.dispose([...w.values()]);
    c.model.dispose();
  });

  it('compact checkpoint with cfg: builds narrower convs from cfg/shapes and matches the masked logits', () => {
    const c = loadChexCheckpoint(fix('chex_r50_compact.pth.tar'));
    expect(c.compact).toBe(true);
    expect(c.cfg).toEqual(manifest.chex_r50.cfg);
    expect((c.metadata.cfg as number[][]).flat()).toEqual(manifest.chex_r50.cfg);
    expect(c.model.stateShapes().get('layer1.0.conv1.weight')).toEqual([manifest.chex_r50.cfg[1], 4, 1, 1]);
    expect(c.model.stateShapes().get('layer1.0.downsample.0.weight')).toEqual([16, 4, 1, 1]);
    const y = logitsOf(c.model, X);
    expectLogitsClose(y, fix('chex_r50_compact_logits.npy'));
    expectLogitsClose(y, fix('chex_r50_masked_logits.npy'));
    c.model.dispose();
  });

  it('compactChexState: compacting the masked checkpoint in TS gives the cfg and logits of the PyTorch compaction', () => {
    const sd = readCheckpoint(fix('chex_r50_masked.pth.tar')).stateDict;
    const r = compactChexState(sd);
    // the fixture has one zero filter with γ = 0, β ≠ 0 in layer1.0.conv1 (reported as a mask inconsistency). The
    // reference compaction keeps it; its eval-mode output relu(β − γμ/√(σ²+ε)) = relu(β) is 0 here (β < 0), so chanlab
    // drops it exactly: one IN1 channel fewer, same logits.
    const beta = sd.get('layer1.0.bn1.bias')!.data as Float32Array;
    const j = r.violations.length ? Number(/channel (\d+)/.exec(r.violations[0]!)![1]) : -1;
    expect(beta[j]).toBeLessThan(0);
    const want = [...manifest.chex_r50.cfg];
    want[1] -= 1;
    expect(r.cfg).toEqual(want);
    expect(r.folded).toEqual([]);
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatch(/^layer1\.0\.conv1 channel \d+: zero filter but β ≠ 0$/);
    const od = new OrderedDict();
    for (const [k, t] of r.stateDict) od.set(k, t);
    const raw = new Map<PyValue, PyValue>([['cfg', r.cfg], ['state_dict', od]]);
    const c = loadChexCheckpoint(raw);
    expect(c.compact).toBe(true);
    expectLogitsClose(logitsOf(c.model, X), fix('chex_r50_masked_logits.npy'));
    c.model.dispose();
  });

  it('a cfg that disagrees with the tensors, or a wrong arch, is an error naming the entry', () => {
    const raw = loadTorchFile(fix('chex_r50_compact.pth.tar')) as Map<PyValue, PyValue>;
    const cfg = raw.get('cfg') as PyValue[][];
    (cfg[1] as number[])[1] = (cfg[1]![1] as number) + 1;
    expect(() => loadChexCheckpoint(raw)).toThrow(/cfg\[4\] = \d+ but the tensors give \d+/);
    expect(() => loadChexCheckpoint(fix('chex_r50_masked.pth.tar'), { arch: 'chex_resnet101' }))
      .toThrow(/expects ResNet-101 but the checkpoint is ResNet-50/);
  });

  it('ChexResNet builder: basic-block cfg semantics and validation', () => {
    const base = { numClasses: 10, inChannels: 3, block: 'basic' as const, layers: [2, 2, 2, 2], widths: [8, 16, 32, 64], stemWidth: 8, stem: 'small' as const };
    const m = new ChexResNet({ ...base, cfg: [3, 8, 5, 16, 9, 32, 17, 64, 64] });
    const s = m.stateShapes();
    expect(s.get('layer1.0.conv1.weight')).toEqual([3, 8, 3, 3]);
    expect(s.get('layer1.0.conv2.weight')).toEqual([8, 3, 3, 3]);
    expect(s.get('layer2.1.conv1.weight')).toEqual([16, 16, 3, 3]);
    expect(s.get('layer4.0.downsample.0.weight')).toEqual([64, 32, 1, 1]);
    expect(s.has('layer1.0.downsample.0.weight')).toBe(false);
    expect(s.get('fc.weight')).toEqual([10, 64]);
    const y = tf.tidy(() => m.eval().call(tf.ones([1, 16, 16, 3])).shape);
    expect(y).toEqual([1, 10]);
    m.dispose();
    expect(() => new ChexResNet({ ...base, cfg: [1, 2, 3] })).toThrow(/cfg must have 9 entries/);
    expect(() => new ChexResNet({ ...base, cfg: [8, 8, 16, 16, 32, 32, 64, 64, 65] })).toThrow(/last cfg entry .* must be 64, got 65/);
    const bott = { ...base, block: 'bottleneck' as const, layers: [1, 1, 1, 1] };
    expect(() => new ChexResNet({ ...bott, cfg: [[8, 8, 8], [31, 16, 16], [64, 32, 32], [128, 64, 64], [256]] }))
      .toThrow(/cfg\[3\] \(Cin of layer2.0\) must equal the block input width 32, got 31/);
    const r = createModel('chex_resnet50', { numClasses: 5, widths: [4, 8, 16, 32], stemWidth: 4 });
    expect(r.stateShapes().get('fc.weight')).toEqual([5, 128]);
    r.dispose();
  });
});

describe('PiX-ResNet official keys', () => {
  it("PiX main.py checkpoint ('model', optimizer, args) → pix_resnet50_cs (narrow): keys in order and logits match", () => {
    const m = createModel('pix_resnet50_cs', PIX_NARROW);
    const shapes = m.stateShapes();
    expect([...shapes.keys()]).toEqual(manifest.pix_r50_narrow.keys);
    expect([...shapes.values()]).toEqual(manifest.pix_r50_narrow.shapes);
    const r = loadCheckpointIntoModel(m, fix('pix_r50_narrow.pth'));
    expect(r.stateDictKey).toBe('model');
    expect(r.metadata.args).toMatchObject({ model: 'PiXResNet50_cs', drop: 0.05 });
    expectLogitsClose(logitsOf(m, X), fix('pix_r50_narrow_logits.npy'));
    m.dispose();
  });

  it('a torchvision-style fc [K,F] loads into the 1×1-conv classifier [K,F,1,1] only through an explicit keyMap', () => {
    const src = readCheckpoint(fix('pix_r50_narrow.pth')).stateDict;
    const od = new OrderedDict();
    for (const [k, t] of src) {
      if (k === 'classifier.weight') od.set('fc.weight', new TorchTensor('float32', [t.shape[0]!, t.shape[1]!], t.data));
      else if (k === 'classifier.bias') od.set('fc.bias', t);
      else od.set(k, t);
    }
    const m = createModel('pix_resnet50_cs', PIX_NARROW);
    expect(() => loadCheckpointIntoModel(m, od)).toThrow(/Unexpected keys \(2\):\n {2}fc\.weight/);
    loadCheckpointIntoModel(m, od, { keyMap: { 'fc.weight': 'classifier.weight', 'fc.bias': 'classifier.bias' } });
    expectLogitsClose(logitsOf(m, X), fix('pix_r50_narrow_logits.npy'));
    // non-strict with a dropped key leaves that key as it was and reports it
    const r = loadCheckpointIntoModel(m, od, { strict: false, keyMap: { 'fc.weight': null, 'fc.bias': 'classifier.bias' } });
    expect(r.missingKeys).toEqual(['classifier.weight']);
    m.dispose();
  });
});
