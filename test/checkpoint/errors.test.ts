// Bad input gives clear errors: truncated files, wrong magic, a pickle that calls os.system, a checkpoint of another
// architecture (diff + hint), shape mismatches, a missing state-dict key. Plus `inspect` output.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { guessArchitecture, inspectCommand, loadCheckpointIntoModel } from '../../src/checkpoint/index.js';
import { createModel } from '../../src/zoo/index.js';
import { fix, narrowResNet18, narrowResNet50, py, tmp } from './helpers.js';

const MARKER = '/tmp/chanlab_checkpoint_pwned';

beforeAll(async () => {
  await useBackend('wasm');
});

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('bad files', () => {
  it('truncated zip and truncated legacy files', () => {
    const dir = tmp();
    const m = narrowResNet18();
    for (const name of ['resnet18_narrow.pth', 'resnet18_narrow_legacy.pth']) {
      const bytes = readFileSync(fix(name));
      const p = join(dir, name);
      writeFileSync(p, bytes.subarray(0, Math.floor(bytes.length / 2)));
      expect(() => loadCheckpointIntoModel(m, p)).toThrow(/truncated/);
    }
    m.dispose();
  });

  it('wrong magic', () => {
    const m = narrowResNet18();
    expect(() => loadCheckpointIntoModel(m, new TextEncoder().encode('hello, not a checkpoint')))
      .toThrow(/not a PyTorch file: expected a zip archive/);
    m.dispose();
  });

  it('a torch.save file whose pickle calls os.system is refused and nothing runs', () => {
    const dir = tmp();
    const p = join(dir, 'evil.pth');
    rmSync(MARKER, { force: true });
    py(`
import os
class Evil:
    def __reduce__(self):
        return (os.system, ('touch ${MARKER}',))
torch.save({'state_dict': {'conv1.weight': torch.zeros(1)}, 'epoch': Evil()}, sys.argv[1])
`, p);
    expect(existsSync(MARKER)).toBe(false);
    const m = narrowResNet18();
    expect(() => loadCheckpointIntoModel(m, p)).toThrow(/(posix|os)\.system/);
    expect(existsSync(MARKER)).toBe(false);
    m.dispose();
  });

  it('no state dict under the requested key', () => {
    const m = narrowResNet18();
    expect(() => loadCheckpointIntoModel(m, fix('resnet50_narrow.pth'), { key: 'state_dict' }))
      .toThrow(/key 'state_dict' not found \(keys: model, epoch, args\)/);
    m.dispose();
  });
});

describe('architecture mismatches', () => {
  it('a ResNet-50 checkpoint into a ResNet-18: missing/unexpected/mis-shaped keys and a hint', () => {
    const m = narrowResNet18();
    const msg = messageOf(() => loadCheckpointIntoModel(m, fix('resnet50_narrow.pth')));
    expect(msg).toMatch(/^Error\(s\) in loading state dict for ResNet:/);
    expect(msg).not.toMatch(/Missing keys/); // every ResNet-18 key name also exists in a ResNet-50
    expect(msg).toMatch(/Unexpected keys \(\d+\):\n {2}layer1\.0\.conv3\.weight/);
    expect(msg).toMatch(/Size mismatch \(\d+\):\n {2}layer1\.0\.conv1\.weight: checkpoint \[4,4,1,1\] vs model \[4,4,3,3\]/);
    expect(msg).toMatch(/… and \d+ more/);
    expect(msg).toMatch(/hint: this looks like resnet50 checkpoint with stage widths 4\/8\/16\/32, 10 classes; the model is resnet18 with stage widths 4\/8\/16\/32, 10 classes/);
    m.dispose();
  });

  it('a PiX checkpoint into a torchvision ResNet-50, and a DGC-keyed dict', () => {
    const m = narrowResNet50();
    const msg = messageOf(() => loadCheckpointIntoModel(m, fix('pix_r50_narrow.pth')));
    expect(msg).toMatch(/Missing keys \(\d+\):\n {2}conv1\.weight\n {2}bn1\.weight/);
    expect(msg).toMatch(/Unexpected keys \(\d+\):\n {2}conv_stem\.weight/);
    expect(msg).toMatch(/hint: this looks like a PiX-ResNet-50 \(pix_resnet50_cs\) checkpoint, stage outputs 16\/32\/64\/128, 10 classes/);
    m.dispose();
    const dgc = new Map<string, number[]>([['layer1.0.conv1._inactive_channels', [1]], ['conv1.weight', [64, 3, 7, 7]]]);
    expect(guessArchitecture(dgc)).toMatch(/DGC dyresnet18/);
  });

  it('same architecture, other class count: a size mismatch even when not strict', () => {
    const m = narrowResNet18(7);
    for (const strict of [true, false]) {
      const msg = messageOf(() => loadCheckpointIntoModel(m, fix('resnet18_narrow.pth'), { strict }));
      expect(msg).toMatch(/Size mismatch \(2\):\n {2}fc\.weight: checkpoint \[10,32\] vs model \[7,32\]\n {2}fc\.bias: checkpoint \[10\] vs model \[7\]/);
      expect(msg).toMatch(/hint: this looks like resnet18 checkpoint with stage widths 4\/8\/16\/32, 10 classes/);
    }
    m.dispose();
  });

  it('a compact CHEX checkpoint into the full-width model names the narrower convs', () => {
    const m = narrowResNet50();
    const msg = messageOf(() => loadCheckpointIntoModel(m, fix('chex_r50_compact.pth.tar')));
    expect(msg).toMatch(/layer1\.0\.conv1\.weight: checkpoint \[2,4,1,1\] vs model \[4,4,1,1\]/);
    expect(msg).toMatch(/hint: this looks like a compact \(pruned, CHEX cfg-style\) resnet50 checkpoint/);
    m.dispose();
  });
});

describe('inspectCommand', () => {
  it('summarises a CHEX training checkpoint: metadata, prefix, architecture, masked channels', () => {
    const s = inspectCommand(fix('chex_r50_masked.pth.tar'), { maxTensors: 5 });
    expect(s).toMatch(/epoch = 249/);
    expect(s).toMatch(/best_prec1 = 77\.25/);
    expect(s).toMatch(/320 tensors/);
    expect(s).toMatch(/320 keys with 'module\.' prefix/);
    expect(s).toMatch(/architecture: resnet50 checkpoint with stage widths 4\/8\/16\/32, 10 classes/);
    expect(s).toMatch(/zero conv filters: \d+ of \d+ output channels/);
  });

  it('summarises a PiX checkpoint and a bare torchvision state dict', () => {
    expect(inspectCommand(fix('pix_r50_narrow.pth'))).toMatch(/architecture: a PiX-ResNet-50/);
    const s = inspectCommand(fix('resnet18_narrow.pth'));
    expect(s).toMatch(/checkpoint: bare state dict/);
    expect(s).toMatch(/architecture: resnet18 checkpoint/);
    expect(s).not.toMatch(/zero conv filters/);
  });

  it('registered models have the keys the guesser expects', () => {
    const m = createModel('resnet50');
    expect(guessArchitecture(m.stateShapes())).toBe('resnet50 checkpoint, 1000 classes');
    m.dispose();
  });
});
