// Export → PyTorch round trips and predict against a real (full-size) torchvision ResNet-18, with /usr/bin/python3
// (torch 1.13) as the oracle.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { loadCheckpointIntoModel, predictCommand, saveModelAsTorch } from '../../src/checkpoint/index.js';
import { readNpy } from '../../src/interop/npy.js';
import { createModel } from '../../src/zoo/index.js';
import type { Module } from '../../src/nn/module.js';
import { expectLogitsClose, fix, logitsOf, narrowResNet50, PIX_NARROW, py, tmp } from './helpers.js';

const X = fix('x.npy');

beforeAll(async () => {
  await useBackend('wasm');
});

/** A few train-mode forwards so BN running stats and num_batches_tracked are not at their init values. */
function warmBatchNorm(m: Module, steps = 3): void {
  m.train();
  for (let i = 0; i < steps; i++) tf.tidy(() => m.call(tf.add(tf.mul(tf.randomNormal([4, 64, 64, 3], 0, 1, 'float32', 7 + i), 1.3), 0.2)));
  m.eval();
}

describe('saveModelAsTorch → torch.load + load_state_dict', () => {
  it('narrow Bottleneck ResNet: strict load in PyTorch, int64 buffers, same logits', () => {
    const dir = tmp();
    const m = narrowResNet50();
    warmBatchNorm(m);
    const path = join(dir, 'r50.pth');
    saveModelAsTorch(m, path, { extra: { epoch: 3, best_prec1: 1.5, arch: 'resnet50' } });
    const out = join(dir, 'y.npy');
    const info = py(`
import numpy as np, torchvision.models.resnet as tvr
from make_checkpoint_fixtures import NarrowResNet
ck = torch.load(sys.argv[1])
assert ck['epoch'] == 3 and ck['best_prec1'] == 1.5 and ck['arch'] == 'resnet50', ck.keys()
sd = ck['state_dict']
nbt = sd['layer1.0.bn1.num_batches_tracked']
assert nbt.dtype == torch.int64 and nbt.shape == torch.Size([]) and int(nbt) == 3, nbt
m = NarrowResNet(tvr.Bottleneck, [3, 4, 6, 3], [4, 8, 16, 32], 10)
m.load_state_dict(sd, strict=True)
m.eval()
with torch.no_grad():
    y = m(torch.from_numpy(np.load(sys.argv[2])))
np.save(sys.argv[3], y.numpy())
print(len(sd))
`, path, X, out);
    expect(Number(info.trim())).toBe(m.stateShapes().size);
    expectLogitsClose(logitsOf(m, X), readNpy(out).data as Float32Array);
    m.dispose();
  });

  it('PiX-ResNet-50-cs (narrow) with module. prefix: the official-key PyTorch model loads it and agrees', () => {
    const dir = tmp();
    const m = createModel('pix_resnet50_cs', PIX_NARROW);
    warmBatchNorm(m);
    const path = join(dir, 'pix.pth');
    saveModelAsTorch(m, path, { prefix: 'module.' });
    const out = join(dir, 'y.npy');
    py(`
import numpy as np
from make_checkpoint_fixtures import PixResNetCs
sd = torch.load(sys.argv[1])
assert isinstance(sd, dict) and all(k.startswith('module.') for k in sd)
m = PixResNetCs([3, 4, 6, 3], [16, 32, 64, 128], 8, 10)
m.load_state_dict({k[len('module.'):]: v for k, v in sd.items()}, strict=True)
m.eval()
with torch.no_grad():
    np.save(sys.argv[3], m(torch.from_numpy(np.load(sys.argv[2]))).numpy())
`, path, X, out);
    expectLogitsClose(logitsOf(m, X), readNpy(out).data as Float32Array);
    // and back: our own export loads into a fresh chanlab model
    const m2 = createModel('pix_resnet50_cs', PIX_NARROW);
    loadCheckpointIntoModel(m2, path);
    expectLogitsClose(logitsOf(m2, X), readNpy(out).data as Float32Array);
    m.dispose();
    m2.dispose();
  });
});

describe('full-size torchvision ResNet-18 (written by torchvision at test time)', () => {
  it('predictCommand: resnet18 + torchvision checkpoint on NCHW .npy → logits .npy match PyTorch', async () => {
    const dir = tmp();
    const [ck, x, yRef, y] = ['r18.pth', 'x.npy', 'y_ref.npy', 'y.npy'].map((f) => join(dir, f));
    py(`
import numpy as np, torchvision
torch.manual_seed(0)
m = torchvision.models.resnet18(num_classes=10)
with torch.no_grad():
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.weight.uniform_(0.5, 1.5); mod.bias.uniform_(-0.2, 0.2)
    m.train()
    for _ in range(3):
        m(torch.randn(4, 3, 64, 64) * 1.5 + 0.3)
m.eval()
torch.save({'epoch': 1, 'state_dict': {'module.' + k: v for k, v in m.state_dict().items()}}, sys.argv[1])
x = torch.randn(3, 3, 64, 64)
np.save(sys.argv[2], x.numpy())
with torch.no_grad():
    np.save(sys.argv[3], m(x).numpy())
`, ck!, x!, yRef!);
    const msg = await predictCommand({ model: 'resnet18', checkpoint: ck!, input: x!, output: y!, backend: 'wasm', batchSize: 2 });
    expect(msg.text).toMatch(/3 inputs \[3×64×64\] → logits \[3, 10\]/);
    const out = readNpy(y!);
    expect(out.shape).toEqual([3, 10]);
    expectLogitsClose(out.data as Float32Array, yRef!);
  });

  it('predictCommand with a CHEX compact checkpoint and a PiX checkpoint (config overrides)', async () => {
    const dir = tmp();
    const y = join(dir, 'y.npy');
    await predictCommand({ model: 'chex_resnet50', checkpoint: fix('chex_r50_compact.pth.tar'), input: X, output: y, batchSize: 1 });
    expectLogitsClose(readNpy(y).data as Float32Array, fix('chex_r50_compact_logits.npy'));
    await predictCommand({ model: 'pix_resnet50_cs', checkpoint: fix('pix_r50_narrow.pth'), input: X, output: y,
      config: { outWidths: PIX_NARROW.outWidths, stemWidth: PIX_NARROW.stemWidth } });
    expectLogitsClose(readNpy(y).data as Float32Array, fix('pix_r50_narrow_logits.npy'));
    writeFileSync(join(dir, 'bad.npy'), new Uint8Array([1, 2, 3]));
    await expect(predictCommand({ model: 'resnet18', checkpoint: fix('resnet18_narrow.pth'), input: join(dir, 'bad.npy'), output: y }))
      .rejects.toThrow(/not a \.npy file/);
    await expect(predictCommand({ model: 'chex_resnet18', checkpoint: fix('chex_r50_compact.pth.tar'), input: X, output: y }))
      .rejects.toThrow(/expects ResNet-18 but the checkpoint is ResNet-50/);
  });
});
