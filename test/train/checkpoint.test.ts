// Checkpoint format (read back by an independent Python reader), determinism, and clear errors for bad input:
// unknown preset keys, missing dataset folders, a checkpoint of another model, truncated files, reused run dirs.
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { createModel } from '../../src/zoo/index.js';
import { loadCheckpointWeights, readTrainCheckpoint } from '../../src/checkpoint/training.js';
import { IMPLEMENTED_METHODS, listPresets, loadConfig, mergeConfig, validateConfig, type TrainConfig } from '../../src/train/config.js';
import { runEvalCommand, runTrainCommand } from '../../src/train/commands.js';
import { train } from '../../src/train/loop.js';
import { Progress } from '../../src/train/progress.js';
import { decodeSafetensors, encodeSafetensors, readSafetensors, type StTensor } from '../../src/checkpoint/safetensors.js';
import { smallResnetRun } from '../helpers/small_resnet_run.js';
import { oracle } from './oracle.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-train-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await useBackend('cpu');
});
const quiet = new Progress({ quiet: true });

export const TINY: TrainConfig = smallResnetRun([4, 8, 8], [40, 16, 10],
  { augment: 'crop_flip', cropPadding: 2, mixup: { mixupAlpha: 0.4, cutmixAlpha: 1.0 } }, {
    accumSteps: 2,
    optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4, weightDecayFilter: 'no_bias_1d' },
    schedule: { kind: 'cosine', warmupEpochs: 0.5 },
    loss: { kind: 'ce', labelSmoothing: 0.1 },
    ema: { decay: 0.9 },
    seed: 1,
  });

function tempFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.tmp')) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

describe('safetensors', () => {
  it('round trip, and an independent Python reader sees the same tensors and metadata', () => {
    const t = new Map<string, StTensor>([
      ['a.weight', { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6.5]) }],
      ['b.count', { dtype: 'I32', shape: [], data: Int32Array.from([7]) }],
      ['c', { dtype: 'F32', shape: [0], data: new Float32Array(0) }],
    ]);
    const bytes = encodeSafetensors(t, { hello: 'world' });
    const back = decodeSafetensors(bytes, 'x');
    expect([...back.tensors.keys()]).toEqual(['a.weight', 'b.count', 'c']);
    expect(Array.from(back.tensors.get('a.weight')!.data)).toEqual([1, 2, 3, 4, 5, 6.5]);
    expect(back.tensors.get('b.count')!.data).toBeInstanceOf(Int32Array);
    expect(back.metadata).toEqual({ hello: 'world' });
    const p = join(tmp, 'x.safetensors');
    writeFileSync(p, bytes);
    const py = oracle<{ tensors: Record<string, { shape: number[]; sum: number }>; metadata: Record<string, string> }>({ op: 'safetensors', path: p });
    expect(py.tensors['a.weight']).toEqual({ shape: [2, 3], sum: 21.5 });
    expect(py.tensors['b.count']).toEqual({ shape: [], sum: 7 });
    expect(py.metadata.hello).toBe('world');
  });
});

describe('training runs', () => {
  it('same seed → bit-identical weights; another seed → different; the run directory is complete', async () => {
    const before = tf.memory().numTensors;
    const a = await train({ config: TINY, runDir: join(tmp, 'a'), progress: quiet });
    expect(tf.memory().numTensors).toBe(before); // no tensor leaks (the model is disposed at the end)
    const b = await train({ config: TINY, runDir: join(tmp, 'b'), progress: quiet });
    const c = await train({ config: { ...TINY, seed: 2 }, runDir: join(tmp, 'c'), progress: quiet });
    expect(a.steps).toBe(6); // 5 micro-batches per epoch, accumulation 2 → 3 updates per epoch
    const wa = readSafetensors(join(tmp, 'a', 'final.safetensors')).tensors;
    const wb = readSafetensors(join(tmp, 'b', 'final.safetensors')).tensors;
    const wc = readSafetensors(join(tmp, 'c', 'final.safetensors')).tensors;
    expect([...wa.keys()].some((k) => k.startsWith('ema.'))).toBe(true);
    expect([...wa.keys()].some((k) => k.startsWith('optim.') && k.endsWith('.momentum_buffer'))).toBe(true);
    for (const [k, t] of wa) expect(Buffer.from(wb.get(k)!.data.buffer).equals(Buffer.from(t.data.buffer)), k).toBe(true);
    const fc = 'model.fc.weight';
    expect(Buffer.from(wc.get(fc)!.data.buffer).equals(Buffer.from(wa.get(fc)!.data.buffer))).toBe(false);
    const dir = join(tmp, 'a');
    expect(readdirSync(dir).sort()).toEqual(['best.safetensors', 'config.json', 'final.safetensors', 'last.safetensors', 'manifest.json', 'metrics.jsonl']);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.status).toBe('finished');
    expect(manifest.seed).toBe(1);
    expect(manifest.backend.name).toBe('cpu');
    expect(manifest.git.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof manifest.git.dirty).toBe('boolean');
    expect(manifest.versions.tfjsCore).toBe('4.22.0');
    expect(manifest.versions.chanlab).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.hardware.cores).toBeGreaterThan(0);
    expect(manifest.wallSeconds).toBeGreaterThan(0);
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'step').map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const epochs = lines.filter((l) => l.type === 'epoch');
    expect(epochs.map((l) => l.epoch)).toEqual([0, 1]);
    expect(epochs[1].testTop1).toBe(a.final!.top1);
    expect(epochs[1].emaTop1).toBe(a.finalEma!.top1);
    expect(tempFiles(tmp)).toEqual([]);
  });

  it('wasm backend: same seed → bit-identical weights', async () => {
    const cfg = { ...TINY, backend: 'wasm', epochs: 1 };
    await train({ config: cfg, runDir: join(tmp, 'wa'), progress: quiet });
    await train({ config: cfg, runDir: join(tmp, 'wb'), progress: quiet });
    const x = readSafetensors(join(tmp, 'wa', 'final.safetensors')).tensors;
    const y = readSafetensors(join(tmp, 'wb', 'final.safetensors')).tensors;
    for (const [k, t] of x) expect(Buffer.from(y.get(k)!.data.buffer).equals(Buffer.from(t.data.buffer)), k).toBe(true);
    expect(JSON.parse(readFileSync(join(tmp, 'wa', 'manifest.json'), 'utf8')).backend.name).toBe('wasm');
    await useBackend('cpu');
  });

  it('eval command on a training checkpoint (model and EMA weights)', async () => {
    const ck = join(tmp, 'a', 'final.safetensors');
    const data = { dataset: 'synthetic' as const, synthetic: TINY.data.synthetic };
    const r = await runEvalCommand({ checkpoint: ck, data, backend: 'cpu', quiet: true }); // model name from the checkpoint
    expect(r.samples).toBe(16);
    const e = await runEvalCommand({ checkpoint: ck, data, backend: 'cpu', ema: true, quiet: true });
    expect(e.samples).toBe(16);
  });
});

describe('bad input → clear errors', () => {
  it('unknown config keys name the key and the allowed ones', () => {
    expect(() => validateConfig({ ...TINY, epochz: 3 })).toThrow(/config: unknown key 'epochz' \(allowed: .*epochs.*\)/);
    expect(() => validateConfig({ ...TINY, optimizer: { ...TINY.optimizer, momentun: 0.9 } })).toThrow(
      /config\.optimizer: unknown key 'momentun' \(allowed: kind, lr, weightDecay, .*momentum/,
    );
    expect(() => validateConfig({ ...TINY, optimizer: { kind: 'adam', lr: 1 } })).toThrow(/config\.optimizer\.kind: expected one of sgd, lamb, got "adam"/);
    expect(() => validateConfig({ ...TINY, batchSize: 0 })).toThrow(/config\.batchSize: expected an integer ≥ 1, got 0/);
    const { seed: _s, ...noSeed } = TINY;
    expect(() => validateConfig(noSeed)).toThrow(/missing required key 'seed'/);
    const p = join(tmp, 'bad.json');
    writeFileSync(p, JSON.stringify({ ...TINY, data: { ...TINY.data, shuffle: true } }));
    expect(() => loadConfig(p)).toThrow(/config\.data: unknown key 'shuffle' \(allowed: dataset, root, .*\) \[in .*bad\.json\]/);
    expect(() => loadConfig('no-such-preset')).toThrow(/unknown preset 'no-such-preset' \(available: .*quick/);
    expect(() => mergeConfig(TINY, { schedule: { kind: 'cosine', warmup: 1 } })).toThrow(/config\.schedule: unknown key 'warmup'/);
    expect(() => validateConfig({ ...TINY, model: 'dgc_densenet86' })).toThrow(/unknown model 'dgc_densenet86'.*known: resnet18/);
  });

  it('every shipped preset validates', () => {
    const names = listPresets();
    for (const n of ['quick', 'pix-imagenet-lamb', 'pix-imagenet-sgd', 'chex-imagenet', 'dgc-cifar10', 'dgc-cifar100', 'dgc-imagenet-dydensenet', 'dgc-imagenet-dyresnet18', 'dgc-fashion-mnist']) expect(names).toContain(n);
    // A preset that needs a method chanlab lacks is refused by name, never trained as the plain model.
    const needsMissingMethod = new Set(IMPLEMENTED_METHODS.includes('chex') ? [] : ['chex-imagenet']);
    for (const n of names) {
      if (needsMissingMethod.has(n)) expect(() => loadConfig(n), n).toThrow(/config\.method: 'chex' is not implemented .*refusing to train the plain model/);
      else expect(() => loadConfig(n), n).not.toThrow();
    }
    const q = loadConfig('quick');
    expect(q.data.dataset).toBe('fashion_mnist');
    expect(q.backend).toBe('wasm');
  });

  it('a missing dataset folder: clear error, nothing written', async () => {
    const runDir = join(tmp, 'nodata');
    await expect(runTrainCommand({ config: { ...TINY, data: { dataset: 'fashion_mnist', root: join(tmp, 'missing') } }, runDir, backend: 'cpu', quiet: true }))
      .rejects.toThrow(/Fashion-MNIST: directory .*missing is missing or empty/);
    await expect(runTrainCommand({ config: { ...TINY, data: { dataset: 'cifar10', root: join(tmp, 'nope') } }, runDir, backend: 'cpu', quiet: true }))
      .rejects.toThrow(/config\.data\.root: cifar10 directory .*nope does not exist/);
    await expect(runTrainCommand({ config: { ...TINY, data: { dataset: 'cifar10' } }, runDir, backend: 'cpu', quiet: true }))
      .rejects.toThrow(/config\.data\.root: required for cifar10/);
    expect(existsSync(runDir)).toBe(false);
  });

  it("another model's checkpoint: error names both models and lists the mismatched keys", async () => {
    const ck = readTrainCheckpoint(join(tmp, 'a', 'final.safetensors'));
    const other = createModel('resnet20_small', { widths: [4, 8, 8], inChannels: 1, numClasses: 3 });
    let msg = '';
    try {
      loadCheckpointWeights(other, ck, 'model', 'resnet20_small');
    } catch (e) {
      msg = (e as Error).message;
    }
    other.dispose();
    expect(msg).toMatch(/written for model 'resnet8_small'\) does not fit model 'resnet20_small'/);
    expect(msg).toMatch(/Missing keys \(\d+\):\n {2}layer1\.1\.conv1\.weight/);
    const wide = createModel('resnet8_small', { widths: [4, 8, 16], inChannels: 1, numClasses: 3 });
    expect(() => loadCheckpointWeights(wide, ck, 'model', 'resnet8_small')).toThrow(/Size mismatch .*\n {2}layer3\.0\.conv1\.weight: checkpoint \[8,8,3,3\] vs model \[16,8,3,3\]/);
    wide.dispose();
    await expect(runEvalCommand({ model: 'resnet20_small', checkpoint: join(tmp, 'a', 'final.safetensors'), data: { dataset: 'synthetic', synthetic: TINY.data.synthetic }, backend: 'cpu', modelConfig: { widths: [4, 8, 8], inChannels: 1, numClasses: 3 }, quiet: true }))
      .rejects.toThrow(/does not fit model 'resnet20_small'/);
  });

  it('truncated or corrupt checkpoints, resuming nothing, reusing a run directory', async () => {
    const src = readFileSync(join(tmp, 'a', 'final.safetensors'));
    const cut = join(tmp, 'cut.safetensors');
    writeFileSync(cut, src);
    truncateSync(cut, src.length - 10);
    expect(() => readTrainCheckpoint(cut)).toThrow(/checkpoint .*cut\.safetensors: checkpoint is truncated \(tensor '.*' ends at byte \d+ of the data section, which has only \d+ bytes\)/);
    truncateSync(cut, 100);
    expect(() => readTrainCheckpoint(cut)).toThrow(/truncated or not a checkpoint/);
    writeFileSync(cut, 'hello');
    expect(() => readTrainCheckpoint(cut)).toThrow(/not a checkpoint/);
    expect(() => readTrainCheckpoint(join(tmp, 'absent.safetensors'))).toThrow(/cannot read .*absent\.safetensors \(ENOENT\)/);
    // a resumed run whose last checkpoint is truncated fails clearly
    const runDir = join(tmp, 'r');
    await train({ config: { ...TINY, epochs: 1 }, runDir, progress: quiet });
    await expect(train({ config: TINY, runDir, progress: quiet })).rejects.toThrow(/already holds a run; resume it/);
    await expect(train({ config: { ...TINY, epochs: 3 }, runDir, resume: true, progress: quiet })).rejects.toThrow(/given config differs .* in epochs/);
    writeFileSync(join(runDir, 'last.safetensors'), src.subarray(0, src.length - 4));
    await expect(train({ runDir, resume: true, progress: quiet })).rejects.toThrow(/truncated/);
    await expect(train({ runDir: join(tmp, 'empty'), resume: true, progress: quiet })).rejects.toThrow(/holds no run to resume/);
    expect(tempFiles(tmp)).toEqual([]);
  });
});
