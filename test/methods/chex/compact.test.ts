// `chex compact`: a masked CHEX ResNet (official-style .pth.tar with `module.` keys, and a chanlab run checkpoint) →
// the official {cfg, state_dict} format with the masked model's logits and MACs; the export loads strictly into a
// PyTorch ResNet built from its cfg (scripts/chex/load_compact.py) with the same logits; zero filters with γ ≠ 0 are
// folded or kept so that outputs stay equal; bad input errors.
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/index.js';
import { loadChexCheckpoint } from '../../../src/checkpoint/chex.js';
import { saveModelAsTorch } from '../../../src/checkpoint/export.js';
import { readNpy, writeNpy } from '../../../src/interop/npy.js';
import { TorchTensor } from '../../../src/interop/tensor.js';
import { compactCheckpoint } from '../../../src/checkpoint/chex_compact.js';
import { ChexExplorer } from '../../../src/methods/chex/explorer.js';
import { createModel } from '../../../src/zoo/index.js';
import { manualSeed } from '../../../src/nn/init.js';
import type { Module } from '../../../src/nn/module.js';
import { saveTrainCheckpoint } from '../../../src/checkpoint/training.js';
import { PYTHON } from '../../helpers/torch.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir('chanlab-chex-compact-');
beforeAll(async () => {
  await useBackend('cpu');
  manualSeed(2);
});

function perturb(m: Module, seed: number): void {
  let s = seed;
  for (const [, p] of [...m.namedParameters(), ...m.namedBuffers()]) {
    if (p.variable.dtype !== 'float32') continue;
    const isVar = /running_var/.test(p.variable.name);
    const d = Float32Array.from(p.variable.dataSync(), (x) => {
      s = (s * 1103515245 + 12345) % 2147483648;
      const v = x + (s / 2147483648 - 0.5) * 0.4;
      return isVar ? Math.abs(v) + 0.1 : v;
    });
    p.variable.assign(tf.tensor(d, p.variable.shape));
  }
}

/** A 4-stage bottleneck CHEX ResNet (ResNet-14 shape) with CHEX masks after an exploration step. */
function maskedModel(): [Module, ChexExplorer] {
  const m = createModel('chex_resnet50', { numClasses: 6, layers: [1, 1, 1, 1], widths: [8, 8, 16, 16], stemWidth: 8, cfg: null });
  const ex = new ChexExplorer(m, { channelSparsity: 0.5, initChannelRatio: 0.2, deltaT: 1, tMax: 2 }, 3);
  perturb(m, 1);
  ex.onEpochStart(0);
  perturb(m, 2);
  ex.afterStep();
  ex.onEpochStart(1);
  return [m, ex];
}

/** A test on a fresh masked model and its explorer, both disposed after it. */
function itMasked(name: string, body: (m: Module, ex: ChexExplorer) => Promise<void>): void {
  it(name, async () => {
    const [m, ex] = maskedModel();
    try {
      await body(m, ex);
    } finally {
      ex.dispose();
      m.dispose();
    }
  }, 120_000);
}

function logits(m: Module, xNchw: tf.Tensor): Float32Array {
  m.eval();
  return tf.tidy(() => m.call(tf.transpose(xNchw, [0, 2, 3, 1]))).dataSync() as Float32Array;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((mx, v, i) => Math.max(mx, Math.abs(v - b[i]!)), 0);

itMasked('masked .pth.tar → compact {cfg, state_dict}: same logits and MACs; PyTorch loads it from its cfg with the same logits', async (m, ex) => {
  const src = join(tmp, 'masked.pth.tar');
  saveModelAsTorch(m, src, { prefix: 'module.', extra: { epoch: 2, best_prec1: 10.5 } });
  const out = join(tmp, 'compact.pth.tar');
  const r = await compactCheckpoint({ model: 'resnet14', checkpoint: src, out });
  expect(r.depth).toBe(14);
  expect(r.maxAbsDiff).toBeLessThan(1e-4);
  expect(r.macsCompact).toBe(r.macsMasked);
  expect(r.paramsCompact).toBeLessThan(r.paramsMasked);
  expect(r.violations).toEqual([]);
  // cfg = [Cin, c1, c2] per block + [F]; c1/c2 = active channels of the masks
  const counts = ex.maskValues.map((v) => v.reduce((a, b) => a + b, 0));
  const inner = ex.layers.filter((l) => l.role !== 'SKIP').map((l) => counts[ex.layers.indexOf(l)]!);
  expect([r.cfg[1], r.cfg[2], r.cfg[4], r.cfg[5], r.cfg[7], r.cfg[8], r.cfg[10], r.cfg[11]]).toEqual(inner);
  expect(r.cfg.at(-1)).toBe(64);

  const x = tf.randomNormal([3, 3, 40, 40], 0, 1, 'float32', 5);
  const yMasked = logits(m, x);
  const c = loadChexCheckpoint(out);
  expect(c.compact).toBe(true);
  expect(maxDiff(logits(c.model, x), yMasked)).toBeLessThan(1e-4);
  c.model.dispose();

  writeNpy(join(tmp, 'x.npy'), new TorchTensor('float32', x.shape, x.dataSync() as Float32Array));
  const py = spawnSync(PYTHON, ['scripts/chex/load_compact.py', out, join(tmp, 'x.npy'), join(tmp, 'y.npy')], { encoding: 'utf8' });
  expect(py.status, py.stderr).toBe(0);
  expect(py.stdout).toMatch(/cfg \[\[8, \d+, \d+\], \[32, \d+, \d+\]/);
  expect(maxDiff(readNpy(join(tmp, 'y.npy')).data as Float32Array, yMasked)).toBeLessThan(1e-4);
  x.dispose();
});

itMasked('zero filters with γ ≠ 0: IN2 constants are folded into bn3, IN1 constants before a padded 3×3 are kept; outputs equal', async (m, ex) => {
  /** edits one state-dict entry (PyTorch layout) in place */
  const edit = (k: string, fn: (d: Float32Array, shape: number[]) => void) => {
    const t = m.stateDict().get(k)!;
    const d = Float32Array.from(t.dataSync());
    fn(d, t.shape);
    m.loadStateDict(new Map([[k, tf.tensor(d, t.shape)]]), { strict: false });
  };
  // a pruned IN2 channel of layer2.0 and a pruned IN1 channel of layer3.0 emit constants: γ, β ≠ 0
  const in2 = ex.layers.findIndex((l) => l.name === 'layer2.0.conv2');
  const in1 = ex.layers.findIndex((l) => l.name === 'layer3.0.conv1');
  const j2 = ex.maskValues[in2]!.indexOf(0);
  const j1 = ex.maskValues[in1]!.indexOf(0);
  expect(j2).toBeGreaterThanOrEqual(0);
  expect(j1).toBeGreaterThanOrEqual(0);
  edit('layer2.0.bn2.weight', (d) => (d[j2] = 0.7));
  edit('layer2.0.bn2.bias', (d) => (d[j2] = 0.9));
  edit('layer3.0.bn1.weight', (d) => (d[j1] = -0.4));
  edit('layer3.0.bn1.bias', (d) => (d[j1] = 0.6));
  // the consumer still reads the IN2 constant (the official masks zero these columns; a released file need not)
  edit('layer2.0.conv3.weight', (d, [o, i]) => {
    for (let r = 0; r < o!; r++) d[r * i! + j2] = 0.3 - 0.01 * r;
  });
  const src = join(tmp, 'constants.pth.tar');
  saveModelAsTorch(m, src);
  const out = join(tmp, 'constants-compact.pth.tar');
  const r = await compactCheckpoint({ model: 'chex_resnet14', checkpoint: src, out });
  expect(r.folded).toEqual([expect.stringMatching(new RegExp(`^layer2\\.0\\.conv2 channel ${j2}: constant .* folded into layer2\\.0\\.bn3\\.running_mean$`))]);
  expect(r.violations.some((v) => v.startsWith(`layer3.0.conv1 channel ${j1}: zero filter but γ ≠ 0`))).toBe(true);
  const active = (i: number) => ex.maskValues[i]!.reduce((a, b) => a + b, 0);
  expect(r.cfg[7]).toBe(active(in1) + 1); // the constant IN1 channel is kept
  expect(r.cfg[5]).toBe(active(in2)); // the constant IN2 channel is folded away
  expect(r.maxAbsDiff).toBeLessThan(1e-4);
  const x = tf.randomNormal([2, 3, 40, 40], 0, 1, 'float32', 9);
  const c = loadChexCheckpoint(out);
  expect(maxDiff(logits(c.model, x), logits(m, x))).toBeLessThan(1e-4);
  c.model.dispose();
  x.dispose();
});

itMasked('a chanlab run checkpoint compacts too; no masks or another depth are errors naming the parameter', async (m, ex) => {
  const run = join(tmp, 'last.safetensors');
  await saveTrainCheckpoint(run, {
    model: m, state: {
      model: 'chex_resnet50', modelConfig: {}, step: 1, loader: { epoch: 1, position: 0 }, rng: [1, 2, 3, 4], optimizer: {},
      emaUpdates: 0, epochLossSum: 0, epochSamples: 0, bestTop1: null, finished: true,
    },
    extra: ex.extraState(),
  });
  const r = await compactCheckpoint({ model: 'resnet14', checkpoint: run, out: join(tmp, 'from-run.pth.tar') });
  expect(r.maxAbsDiff).toBeLessThan(1e-4);
  expect(r.macsCompact).toBe(r.macsMasked);
  await expect(compactCheckpoint({ model: 'resnet50', checkpoint: run, out: join(tmp, 'x.pth.tar') }))
    .rejects.toThrow(/--model resnet50 is ResNet-50 but --checkpoint .* holds a ResNet-14/);
  const dense = createModel('resnet18');
  saveModelAsTorch(dense, join(tmp, 'dense.pth'));
  dense.dispose();
  await expect(compactCheckpoint({ model: 'resnet18', checkpoint: join(tmp, 'dense.pth'), out: join(tmp, 'y.pth.tar') }))
    .rejects.toThrow(/--checkpoint .* has no masks/);
});
