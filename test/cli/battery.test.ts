// The bad-input and fault battery of issue 13, run through the command line as a user would (`node bin/chanlab.js`
// on the compiled dist/, rebuilt first when src/ is newer): divergence, non-finite checkpoints and inputs, labels
// outside the model's classes, the run-directory lifecycle (lock, stale lock, restart of a run without a checkpoint,
// SIGINT), and messages that name the file or parameter. Data: a tiny fake CIFAR-10/100 in the binary format.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeSafetensors, encodeSafetensors, readSafetensors } from '../../src/checkpoint/safetensors.js';
import { BIN, ROOT, cifarFile, cli, ensureBuilt, tinyConfig } from './helpers.js';
import { TorchTensor } from '../../src/interop/tensor.js';
import { readNpy, writeNpy } from '../../src/interop/npy.js';

// every case spawns the CLI (a Node start-up with tfjs each time): generous limits for a loaded machine
vi.setConfig({ testTimeout: 600_000 });

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-battery-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CIFAR10 = join(tmp, 'cifar10');
const CIFAR100 = join(tmp, 'cifar100');
const CONFIG = join(tmp, 'tiny.json');
const TINY = tinyConfig(CIFAR10);

beforeAll(() => {
  ensureBuilt();
  mkdirSync(join(CIFAR10, 'cifar-10-batches-bin'), { recursive: true });
  for (let k = 1; k <= 5; k++) cifarFile(join(CIFAR10, 'cifar-10-batches-bin', `data_batch_${k}.bin`), 8, (i) => [(i + k) % 10]);
  cifarFile(join(CIFAR10, 'cifar-10-batches-bin', 'test_batch.bin'), 16, (i) => [i % 10]);
  // CIFAR-100 with only its test file: eval must not need the training files
  mkdirSync(join(CIFAR100, 'cifar-100-binary'), { recursive: true });
  cifarFile(join(CIFAR100, 'cifar-100-binary', 'test.bin'), 16, (i) => [i % 20, (i * 7) % 100]);
  writeFileSync(CONFIG, JSON.stringify(TINY));
}, 320_000);

const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { status: string; message?: string; resumes: Array<{ step: number }> };
const allFinite = (file: string) => [...readSafetensors(file).tensors.values()].every((t) => t.data.every((v) => Number.isFinite(v)));

/** A copy of `file` whose tensor `key` is all NaN. */
function withNaN(file: string, key: string, out: string): void {
  const f = decodeSafetensors(readFileSync(file), file);
  f.tensors.get(key)!.data.fill(NaN);
  writeFileSync(out, encodeSafetensors(f.tensors, f.metadata));
}

describe('a good run, then the same files spoiled', () => {
  const good = join(tmp, 'good');

  it('trains, finishes, leaves no lock; eval reads only the test split', () => {
    const r = cli(['train', '--config', CONFIG, '--run-dir', good, '--quiet']);
    expect(r.rc, r.err).toBe(0);
    expect(manifest(good).status).toBe('finished');
    expect(existsSync(join(good, 'run.lock'))).toBe(false);
    const e = cli(['eval', '--checkpoint', join(good, 'final.safetensors'), '--data', `cifar10:${CIFAR10}`, '--backend', 'cpu']);
    expect(e.rc, e.err).toBe(0);
    expect(e.out + e.err).toMatch(/top-1 \d+\.\d+%/);
  });

  it('labels outside the model classes: an error naming the data set and the class count (issue item 2)', () => {
    const e = cli(['eval', '--checkpoint', join(good, 'final.safetensors'), '--data', `cifar100:${CIFAR100}`, '--backend', 'cpu']);
    expect(e.rc).toBe(1);
    expect(e.err).toMatch(/data set cifar100 has 100 classes .* but model 'resnet8_small' .* has 10/);
  });

  it('NaN weights: refused on load unless --allow-non-finite, then reported as non-finite, never as accuracy', () => {
    const bad = join(tmp, 'nan.safetensors');
    withNaN(join(good, 'final.safetensors'), 'model.fc.weight', bad);
    const e = cli(['eval', '--checkpoint', bad, '--data', `cifar10:${CIFAR10}`, '--backend', 'cpu']);
    expect(e.rc).toBe(1);
    expect(e.err).toMatch(/nan\.safetensors: the weights hold 80 non-finite values \(NaN\/Inf\) in model\.fc\.weight .*--allow-non-finite/);
    const i = cli(['eval', '--checkpoint', bad, '--data', `cifar10:${CIFAR10}`, '--backend', 'cpu', '--allow-non-finite']);
    expect(i.rc).toBe(3);
    expect(i.out + i.err).toMatch(/top-1 0\.00% top-5 0\.00%/);
    expect(i.out + i.err).toMatch(/non-finite weights: 1 tensor\(s\) hold NaN\/Inf \(fc\.weight \(80 of 80\)\)/);
    expect(i.out + i.err).toMatch(/non-finite outputs: 16 of 16 samples have NaN\/Inf logits \(counted as wrong\)/);
  });

  it('resuming from a checkpoint with NaN weights is refused; the manifest says failed and why (issue item 4)', () => {
    const run = join(tmp, 'nanresume');
    cpSync(good, run, { recursive: true });
    withNaN(join(good, 'last.safetensors'), 'model.conv1.weight', join(run, 'last.safetensors'));
    const r = cli(['train', '--resume', '--run-dir', run, '--quiet']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/last\.safetensors: the weights hold \d+ non-finite values/);
    expect(manifest(run).status).toBe('failed');
    expect(manifest(run).message).toMatch(/non-finite/);
  });

  it('corrupt run files on --resume: errors name the file (issue item 6)', () => {
    const run = join(tmp, 'corrupt');
    cpSync(good, run, { recursive: true });
    writeFileSync(join(run, 'manifest.json'), '{"status": "fini');
    expect(cli(['train', '--resume', '--run-dir', run, '--quiet']).err).toMatch(/manifest: .*corrupt\/manifest\.json is not valid JSON/);
    cpSync(join(good, 'manifest.json'), join(run, 'manifest.json'));
    const lines = readFileSync(join(good, 'metrics.jsonl'), 'utf8').split('\n');
    lines[1] = '{"type":"st';
    writeFileSync(join(run, 'metrics.jsonl'), lines.join('\n'));
    expect(cli(['train', '--resume', '--run-dir', run, '--quiet']).err).toMatch(/metrics: .*metrics\.jsonl line 2 is not valid JSON/);
    writeFileSync(join(run, 'config.json'), '{ nope');
    expect(cli(['train', '--resume', '--run-dir', run, '--quiet']).err).toMatch(/config: .*corrupt\/config\.json is not valid JSON/);
  });

  it('eval given a PyTorch .pth: says so instead of an absurd header size', () => {
    const e = cli(['eval', '--checkpoint', join(ROOT, 'test', 'fixtures', 'interop', 'state_zip.pth'), '--data', `cifar10:${CIFAR10}`, '--backend', 'cpu']);
    expect(e.rc).toBe(1);
    expect(e.err).toMatch(/state_zip\.pth: is a PyTorch file .*not a chanlab training checkpoint/);
  });
});

describe('divergence (issue item 1)', () => {
  it('lr 1e30: stops with step, last finite loss and lr; manifest diverged; nothing non-finite saved, no best', () => {
    const run = join(tmp, 'diverge');
    const r = cli(['train', '--config', CONFIG, '--run-dir', run, '--quiet', '--set', '{"epochs":2,"optimizer":{"lr":1e30},"checkpointEvery":1}']);
    expect(r.rc).toBe(3);
    expect(r.err).toMatch(/diverged: (the training loss is (NaN|-?Infinity) at step \d+ \(epoch 1, lr [\d.e+]+\); last finite loss [\d.e+-]+ at step \d+|non-finite weights after step \d+)/);
    expect(r.err).not.toMatch(/top-1 100/);
    const m = manifest(run);
    expect(m.status).toBe('diverged');
    expect(m.message).toMatch(/^diverged: /);
    expect(existsSync(join(run, 'best.safetensors'))).toBe(false);
    expect(existsSync(join(run, 'final.safetensors'))).toBe(false);
    for (const f of readdirSync(run).filter((x) => x.endsWith('.safetensors'))) expect(allFinite(join(run, f)), f).toBe(true);
  });
});

describe('run-directory lifecycle (issue items 3, 5, 7)', () => {
  it('a run that died before its first checkpoint (stale lock of a dead process) restarts in place, or resumes from step 0', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    for (const name of ['dead-new', 'dead-resume']) {
      const run = join(tmp, name);
      mkdirSync(run);
      writeFileSync(join(run, 'config.json'), JSON.stringify(TINY));
      writeFileSync(join(run, 'manifest.json'), JSON.stringify({ status: 'running', resumes: [] }));
      writeFileSync(join(run, 'metrics.jsonl'), '{"type":"step","step":1}\n');
      writeFileSync(join(run, 'run.lock'), JSON.stringify({ pid: Number(dead), host: '', time: 'then' }));
    }
    const a = cli(['train', '--config', CONFIG, '--run-dir', join(tmp, 'dead-new'), '--quiet']);
    expect(a.rc, a.err).toBe(0);
    expect(manifest(join(tmp, 'dead-new')).status).toBe('finished');
    const b = cli(['train', '--resume', '--run-dir', join(tmp, 'dead-resume'), '--quiet']);
    expect(b.rc, b.err).toBe(0);
    expect(manifest(join(tmp, 'dead-resume')).resumes.map((x) => x.step)).toEqual([0]);
    expect(manifest(join(tmp, 'dead-resume')).status).toBe('finished');
    expect(existsSync(join(tmp, 'dead-resume', 'run.lock'))).toBe(false);
  });

  it('a corrupt validation image fails before any training, naming the file', () => {
    const root = join(tmp, 'imagenet');
    for (const split of ['train', 'val']) mkdirSync(join(root, split, 'a'), { recursive: true });
    writeFileSync(join(root, 'train', 'a', 'x.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    writeFileSync(join(root, 'val', 'a', 'bad.jpg'), Buffer.from('not an image at all'));
    const run = join(tmp, 'badval');
    const r = cli(['train', '--config', CONFIG, '--run-dir', run, '--quiet', '--set', JSON.stringify({ data: { dataset: 'imagenet', root, trainLimit: null, testLimit: null } })]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/val\/a\/bad\.jpg is not a JPEG or PNG file/);
    expect(existsSync(join(run, 'manifest.json'))).toBe(false);
  });

  /** Starts a CLI training run in the background and waits until it has done `steps` steps. */
  async function startRun(config: string, run: string, steps: number) {
    const child = spawn(process.execPath, [BIN, 'train', '--config', config, '--run-dir', run, '--quiet'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const metrics = join(run, 'metrics.jsonl');
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000 && !(existsSync(metrics) && readFileSync(metrics, 'utf8').includes(`"step":${steps},`))) {
      await new Promise((r) => setTimeout(r, 20));
    }
    return { child, exited, stderr: () => stderr };
  }

  it('a second run into a live directory fails at once naming the pid; SIGTERM checkpoints and says interrupted', async () => {
    const run = join(tmp, 'live');
    const slow = join(tmp, 'slow.json');
    writeFileSync(slow, JSON.stringify({ ...TINY, data: { ...TINY.data, trainLimit: 40 }, epochs: 100, batchSize: 2 }));
    const a = await startRun(slow, run, 2);
    const second = cli(['train', '--config', slow, '--run-dir', run, '--quiet']);
    expect(second.rc).toBe(1);
    expect(second.err).toMatch(new RegExp(`is in use by process ${a.child.pid} \\(lock .*run\\.lock`));
    expect(cli(['train', '--resume', '--run-dir', run, '--quiet']).err).toMatch(new RegExp(`in use by process ${a.child.pid}`));
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(143);
    expect(a.stderr()).toMatch(/interrupted by SIGTERM at step \d+ .*checkpoint saved in .*last\.safetensors; continue with --resume/);
    expect(manifest(run).status).toBe('interrupted');
    expect(manifest(run).message).toMatch(/SIGTERM/);
    expect(existsSync(join(run, 'run.lock'))).toBe(false);
  }, 600_000);

  it('Ctrl-C (SIGINT) mid-run: exit 130, checkpoint kept, manifest interrupted; --resume finishes it', async () => {
    const run = join(tmp, 'sigint');
    const cfg = join(tmp, 'sigint.json');
    writeFileSync(cfg, JSON.stringify({ ...TINY, data: { ...TINY.data, trainLimit: 40 }, epochs: 2, batchSize: 2 }));
    const a = await startRun(cfg, run, 2);
    a.child.kill('SIGINT');
    expect(await a.exited).toBe(130);
    const step = JSON.parse(readSafetensors(join(run, 'last.safetensors')).metadata.chanlab!).step as number;
    expect(step).toBeGreaterThanOrEqual(2);
    expect(step).toBeLessThan(40);
    expect(manifest(run).status).toBe('interrupted');
    const r = cli(['train', '--resume', '--run-dir', run, '--quiet']);
    expect(r.rc, r.err).toBe(0);
    expect(manifest(run).status).toBe('finished');
    expect(manifest(run).message).toBeUndefined();
    expect(manifest(run).resumes.map((x) => x.step)).toEqual([step]);
  }, 600_000);
});

describe('messages name the parameter or file and the expected value (issue items 6, 7)', () => {
  it('lr 1e400, a step schedule without milestones, a wasm thread-count typo', () => {
    const a = cli(['train', '--config', CONFIG, '--run-dir', join(tmp, 'm1'), '--set', '{"optimizer":{"lr":1e400}}']);
    expect(a.err).toMatch(/config\.optimizer\.lr: expected a number ≥ 0, got Infinity/);
    const b = cli(['train', '--config', CONFIG, '--run-dir', join(tmp, 'm2'), '--set', '{"schedule":{"kind":"step"}}']);
    expect(b.err).toMatch(/config\.schedule\.milestones: required for kind 'step'/);
    const c = cli(['train', '--config', CONFIG, '--run-dir', join(tmp, 'm3'), '--backend', 'wasm'], { CHANLAB_WASM_THREADS: 'fuor' });
    expect(c.err).toMatch(/CHANLAB_WASM_THREADS: expected a positive integer .*got 'fuor'/);
    expect(c.err).not.toMatch(/npm ci/);
    for (const d of ['m1', 'm2', 'm3']) expect(existsSync(join(tmp, d))).toBe(false);
  });

  it('predict: NHWC input named as such; NaN inputs give NaN logits and are reported; an empty batch gives [0, classes]', async () => {
    const { createModel } = await import('../../src/zoo/index.js');
    const { saveModelAsTorch } = await import('../../src/checkpoint/export.js');
    const { useBackend } = await import('../../src/backend/index.js');
    await useBackend('cpu');
    const m = createModel('resnet8_small', { widths: [4, 4, 8], numClasses: 10, inChannels: 3 });
    const pth = join(tmp, 'r8.pth');
    saveModelAsTorch(m, pth);
    m.dispose();
    const args = (input: string, output: string) => ['predict', '--model', 'resnet8_small', '--checkpoint', pth, '--input', input, '--output', output,
      '--backend', 'cpu', '--config', '{"widths":[4,4,8]}'];
    const nhwc = join(tmp, 'nhwc.npy');
    writeNpy(nhwc, new TorchTensor('float32', [2, 8, 8, 3], new Float32Array(2 * 8 * 8 * 3)));
    const a = cli(args(nhwc, join(tmp, 'o1.npy')));
    expect(a.rc).toBe(1);
    expect(a.err).toMatch(/nhwc\.npy has shape \[2, 8, 8, 3\]: expected NCHW \[N, 3, H, W\].*looks NHWC/);

    const x = new Float32Array(3 * 3 * 8 * 8).fill(0.5);
    x.fill(NaN, 3 * 64, 2 * 3 * 64); // sample 1 all NaN
    const xin = join(tmp, 'x.npy');
    writeNpy(xin, new TorchTensor('float32', [3, 3, 8, 8], x));
    const b = cli(args(xin, join(tmp, 'o2.npy')));
    expect(b.rc, b.err).toBe(3); // the logits are written, and the status says some are NaN
    expect(b.out).toMatch(/non-finite inputs: 1 of 3 samples .*first: sample 1/);
    const y = readNpy(join(tmp, 'o2.npy'));
    expect(y.shape).toEqual([3, 10]);
    const v = Array.from(y.data as Float32Array);
    expect(v.slice(10, 20).every((z) => Number.isNaN(z))).toBe(true);
    expect(v.slice(0, 10).every((z) => Number.isFinite(z))).toBe(true);

    const empty = join(tmp, 'empty.npy');
    writeNpy(empty, new TorchTensor('float32', [0, 3, 8, 8], new Float32Array(0)));
    const c = cli(args(empty, join(tmp, 'o3.npy')));
    expect(c.rc, c.err).toBe(0);
    expect(readNpy(join(tmp, 'o3.npy')).shape).toEqual([0, 10]);
  });
});
