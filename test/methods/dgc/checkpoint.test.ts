// DGC checkpoints in the official training-script format (scripts/fixtures/make_dgc_fixtures.py: a PyTorch DGC
// written from the official code's behaviour, torch 1.13): load → same logits and _inactive_channels, predict/eval
// on the README-sized CIFAR-100 DenseNet-86, export back to the official format, and clear errors.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/index.js';
import { loadCheckpointIntoModel, type LoadCheckpointResult, predictCommand, saveDgcCheckpoint } from '../../../src/checkpoint/index.js';
import { readNpy } from '../../../src/interop/npy.js';
import { dgcLayers } from '../../../src/methods/dgc/index.js';
import { createModel } from '../../../src/zoo/index.js';
import type { Module } from '../../../src/nn/module.js';
import { runEvalCommand } from '../../../src/train/commands.js';
import { expectLogitsClose, logitsOf, py, tmp } from '../../checkpoint/helpers.js';

const MEAN = [0.5071, 0.4867, 0.4408];
const STD = [0.2675, 0.2565, 0.2761];
const FIX = join(process.cwd(), 'test', 'fixtures', 'dgc');
const fix = (n: string) => join(FIX, n);
interface Entry { keys: number; config: Record<string, unknown>; inactive: Record<string, number> }
const manifest = JSON.parse(readFileSync(fix('manifest.json'), 'utf8')) as Record<string, Entry>;

const smallDense = () => createModel('dydensenet86_cifar100', { stages: [2, 2, 2] });
const smallRes = () => createModel('dyresnet18', { layers: [1, 1, 1, 1], widths: [8, 16, 32, 64], numClasses: 10 });

function inactive(m: Module): Record<string, number> {
  return Object.fromEntries(dgcLayers(m).map(([n, l]) => [`${n}._inactive_channels`, l.inactiveChannels]));
}

/** Loads fixture `name`.pth.tar into `m`: _inactive_channels as in the manifest, logits on x32.npy as PyTorch's. */
function loadFixture(m: Module, name: string): LoadCheckpointResult {
  const r = loadCheckpointIntoModel(m, fix(`${name}.pth.tar`));
  expect(inactive(m)).toEqual(manifest[name]!.inactive);
  expectLogitsClose(logitsOf(m, fix('x32.npy')), fix(`${name}_logits.npy`));
  return r;
}

beforeAll(async () => {
  await useBackend('wasm');
});

describe('official-format DGC checkpoints', () => {
  it('DyDenseNet (stages 2-2-2): module. keys stripped, metadata, _inactive_channels and logits match PyTorch', () => {
    const m = smallDense();
    const r = loadFixture(m, 'dydensenet_small');
    expect(r.stateDictKey).toBe('state_dict');
    expect(r.metadata).toMatchObject({ epoch: 299, bestPrec1: 76.59 });
    expect(m.stateShapes().size).toBe(manifest.dydensenet_small!.keys);
    m.dispose();
  });

  it('DyResNet (double BN, DGC downsample): logits match PyTorch', () => {
    const m = smallRes();
    loadFixture(m, 'dyresnet_small');
    m.dispose();
  });

  it('exports back to the official format, which the PyTorch model loads with the same logits', () => {
    const m = smallDense();
    loadCheckpointIntoModel(m, fix('dydensenet_small.pth.tar'));
    const mine = logitsOf(m, fix('x32.npy'));
    const out = join(tmp(), 'exported.pth.tar');
    saveDgcCheckpoint(m, out, { epoch: 12, bestPrec1: 55.5 });
    m.dispose();
    const res = JSON.parse(py(`
import json, numpy as np
import make_dgc_fixtures as f
ck = torch.load(sys.argv[1])
sd = {k[len('module.'):]: v for k, v in ck['state_dict'].items()}
assert all(k.startswith('module.') for k in ck['state_dict'])
m = f.DyDenseNet([2, 2, 2], [8, 16, 32], 100)
m.load_state_dict(sd)
m.eval()
with torch.no_grad():
    y, _ = m(torch.from_numpy(np.load(sys.argv[2])))
print(json.dumps({'epoch': ck['epoch'], 'best': ck['best_prec1'], 'buf': sd['features.denseblock_3.denselayer_2.conv_1._inactive_channels'].tolist(), 'logits': y.flatten().tolist()}))
`, out, fix('x32.npy'))) as { epoch: number; best: number; buf: number[]; logits: number[] };
    expect(res).toMatchObject({ epoch: 12, best: 55.5, buf: [72] });
    expectLogitsClose(mine, Float32Array.from(res.logits));
  });

  it('README-sized dydensenet86_cifar100: predict and eval load the .tar and give the PyTorch logits', async () => {
    const dir = tmp();
    py('import runpy; sys.argv = ["x", "--full", "--out", sys.argv[1]]; runpy.run_path("scripts/fixtures/make_dgc_fixtures.py", run_name="__main__")', dir);
    const ckpt = join(dir, 'dydensenet86_cifar100.pth.tar');
    const summary = await predictCommand({ model: 'dydensenet86_cifar100', checkpoint: ckpt, input: join(dir, 'x32.npy'), output: join(dir, 'y.npy'), backend: 'wasm' });
    expect(summary.text).toMatch(/logits \[4, 100\]/);
    expectLogitsClose(readNpy(join(dir, 'y.npy')).data as Float32Array, join(dir, 'dydensenet86_cifar100_logits.npy'));
    // eval on a tiny CIFAR-100 binary set made of the same 4 images, labelled with PyTorch's argmax → top-1 100 %
    const x = readNpy(join(dir, 'x32.npy')).data as Float32Array;
    const logits = readNpy(join(dir, 'dydensenet86_cifar100_logits.npy')).data as Float32Array;
    const data = join(dir, 'cifar100');
    mkdirSync(data);
    const rec = new Uint8Array(4 * 3074);
    for (let i = 0; i < 4; i++) {
      const row = Array.from(logits.subarray(i * 100, (i + 1) * 100));
      rec[i * 3074 + 1] = row.indexOf(Math.max(...row));
      // x (NCHW) with the CIFAR-100 normalisation undone, as uint8 CHW pixels (the binary format's layout)
      for (let p = 0; p < 3072; p++) {
        const c = Math.floor(p / 1024);
        rec[i * 3074 + 2 + p] = Math.max(0, Math.min(255, Math.round(255 * (x[i * 3072 + p]! * STD[c]! + MEAN[c]!))));
      }
    }
    writeFileSync(join(data, 'train.bin'), rec);
    writeFileSync(join(data, 'test.bin'), rec);
    const r = await runEvalCommand({ model: 'dydensenet86_cifar100', checkpoint: ckpt, data: `cifar100:${data}`, backend: 'wasm', quiet: true });
    expect(r.samples).toBe(4);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.top1).toBeGreaterThanOrEqual(75); // uint8 rounding of the pixels may move one prediction
  }, 300_000);

  it('a DGC checkpoint without _inactive_channels is an error naming the buffer', () => {
    const out = join(tmp(), 'nobuf.pth.tar');
    py(`
ck = torch.load(sys.argv[1])
ck['state_dict'] = {k: v for k, v in ck['state_dict'].items() if not k.endswith('_inactive_channels')}
torch.save(ck, sys.argv[2])
`, fix('dydensenet_small.pth.tar'), out);
    const m = smallDense();
    expect(() => loadCheckpointIntoModel(m, out)).toThrow(/6 DGC layer\(s\) have no _inactive_channels buffer .*features\.denseblock_1\.denselayer_1\.conv_1\._inactive_channels/);
    m.dispose();
  });

  it('a DGC checkpoint given to a non-DGC model is an error naming the model', () => {
    const m = createModel('resnet18', { numClasses: 10 });
    expect(() => loadCheckpointIntoModel(m, fix('dyresnet_small.pth.tar'))).toThrow(/model: the checkpoint holds 11 DGC layers .* but the model has none; load it into a DGC model \(dydensenet86_cifar10/);
    m.dispose();
    expect(tf.memory().numTensors).toBeLessThan(5000);
  });
});
