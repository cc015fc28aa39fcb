// The battery of issue 25 ("runs that never lie, part 2") and the CLI items of issue 21, through the built CLI as a
// user runs it: bad flags, environment, data, checkpoints, numerical failure, kills and concurrency, Slurm options,
// help and launchers. Each case asserts the exit status and the message's key words. Independent cases run
// concurrently (a few CLI processes at a time, test/cli/helpers.ts); one tiny trained run is the shared fixture.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeSafetensors, encodeSafetensors, readSafetensors } from '../../src/checkpoint/safetensors.js';
import { modelStateAsTorch } from '../../src/checkpoint/export.js';
import { encodePng } from '../../src/data/png.js';
import { TorchTensor } from '../../src/interop/tensor.js';
import { writeNpy } from '../../src/interop/npy.js';
import { loadTorchFile } from '../../src/interop/torch_load.js';
import { saveTorchFile } from '../../src/interop/torch_save.js';
import { COMMANDS } from '../../src/cli/main.js';
import { buildDatasets } from '../../src/train/data.js';
import { parseResult } from '../../repro/results.js';
import { sealed } from '../../repro/digest.js';
import { BIN, ROOT, cifarFile, cli, cliAsync, ensureBuilt, run, tinyConfig, type Result } from './helpers.js';
import { TEST_TABLES_ENV } from '../scale/helpers.js';

vi.setConfig({ testTimeout: 600_000 });

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-battery2-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CIFAR10 = join(tmp, 'cifar10');
const CONFIG = join(tmp, 'tiny.json');
const TINY = tinyConfig(CIFAR10);
const GOOD = join(tmp, 'good');
const PTH = join(tmp, 'r8.pth');
const X = join(tmp, 'x.npy');
const NATIVE_BUILT = existsSync(join(ROOT, 'native', 'build', 'Release', 'chanlab_native.node')) && process.env.CHANLAB_NATIVE !== '0';
const all = (r: Result) => r.out + r.err;
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, any>;
const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
const predictArgs = (ck: string, input = X, out = join(tmp, `y-${Math.random()}.npy`)) =>
  ['predict', '--model', 'resnet8_small', '--checkpoint', ck, '--input', input, '--output', out, '--backend', 'cpu', '--config', '{"widths":[4,4,8]}'];

beforeAll(async () => {
  ensureBuilt();
  mkdirSync(join(CIFAR10, 'cifar-10-batches-bin'), { recursive: true });
  for (let k = 1; k <= 5; k++) cifarFile(join(CIFAR10, 'cifar-10-batches-bin', `data_batch_${k}.bin`), 8, (i) => [(i + k) % 10]);
  cifarFile(join(CIFAR10, 'cifar-10-batches-bin', 'test_batch.bin'), 16, (i) => [i % 10]);
  writeFileSync(CONFIG, JSON.stringify(TINY));
  const r = cli(['train', '--config', CONFIG, '--run-dir', GOOD, '--quiet']);
  if (r.rc !== 0) throw new Error(`fixture run failed: ${r.err}`);
  // a PyTorch checkpoint of the same architecture, and an input batch
  const { createModel } = await import('../../src/zoo/index.js');
  const { useBackend } = await import('../../src/backend/index.js');
  await useBackend('cpu');
  const m = createModel('resnet8_small', { widths: [4, 4, 8], numClasses: 10, inChannels: 3 });
  saveTorchFile(PTH, modelStateAsTorch(m));
  m.dispose();
  writeNpy(X, new TorchTensor('float32', [2, 3, 8, 8], new Float32Array(2 * 3 * 64).fill(0.25)));
}, 600_000);

/** The fixture's state dict as an OrderedDict, changed by `f`, saved as a .pth. */
function pthVariant(name: string, f: (sd: Map<string, unknown>) => unknown): string {
  const raw = loadTorchFile(PTH) as unknown as Map<string, unknown>;
  const out = join(tmp, name);
  saveTorchFile(out, f(raw) as never);
  return out;
}

describe.concurrent('bad flags and arguments', () => {
  it('an unknown command lists the commands', async () => {
    const r = await cliAsync(['nope']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/unknown command 'nope' \(commands: backends, models, train, eval/);
  });
  it('an unknown option names it and the help', async () => {
    const r = await cliAsync(['train', '--bogus']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/train: Unknown option '--bogus'.*see `chanlab train --help`/);
  });
  it('flops --input -3 names the bound, not parseArgs wording', async () => {
    const r = await cliAsync(['flops', '--model', 'resnet8_small', '--input', '-3', '--backend', 'cpu']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/flops: --input must be an integer ≥ 1, got '-3'/);
  });
  it('flops --input abc', async () => {
    const r = await cliAsync(['flops', '--model', 'resnet8_small', '--input', 'abc', '--backend', 'cpu']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/--input must be an integer ≥ 1, got 'abc'/);
  });
  it('models --family nope is an error listing the families', async () => {
    const r = await cliAsync(['models', '--family', 'nope']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/models: --family must be one of torchvision, .*got 'nope'/);
  });
  it('train --set null is refused (it was ignored)', async () => {
    const r = await cliAsync(['train', '--config', CONFIG, '--run-dir', join(tmp, 'set-null'), '--set', 'null']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/train: --set must be a JSON object .*got null/);
    expect(existsSync(join(tmp, 'set-null'))).toBe(false);
  });
  it("train --set '[1]' names the array", async () => {
    const r = await cliAsync(['train', '--config', CONFIG, '--run-dir', join(tmp, 'set-list'), '--set', '[1]']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/--set must be a JSON object .*got an array/);
  });
  it('modelConfig.widths[1] = 0 is named before anything is built', async () => {
    const r = await cliAsync(['train', '--config', CONFIG, '--run-dir', join(tmp, 'w0'), '--set', '{"modelConfig":{"widths":[16,0,64]}}']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/config\.modelConfig\.widths\[1\]: expected a positive integer .*got 0/);
    expect(r.err).not.toMatch(/Conv2d/);
  });
  it('seed 1e20 fails config validation with its bound', async () => {
    const r = await cliAsync(['train', '--config', CONFIG, '--run-dir', join(tmp, 'seed'), '--set', '{"seed":1e20}']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/config\.seed: expected an integer in \[0, 9007199254740991\], got 100000000000000000000/);
  });
  it('a misspelt model config key is named with the allowed ones', async () => {
    const r = await cliAsync(['train', '--config', CONFIG, '--run-dir', join(tmp, 'mk'), '--set', '{"modelConfig":{"width":[4,4,8]}}']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/config\.modelConfig: unknown config key 'width' for model 'resnet8_small' \(expected one of .*widths/);
  });
  it('eval without --checkpoint', async () => {
    const r = await cliAsync(['eval', '--data', 'cifar10']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/eval: --checkpoint is required/);
  });
  it('eval --data with an unknown data set', async () => {
    const r = await cliAsync(['eval', '--checkpoint', join(GOOD, 'final.safetensors'), '--data', 'mnist:/x', '--backend', 'cpu']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/data: unknown dataset 'mnist' \(expected one of fashion_mnist, cifar10/);
  });
  it('latency --method nope', async () => {
    const r = await cliAsync(['latency', '--model', 'resnet8_small', '--method', 'nope']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/latency: --method must be median or official, got 'nope'/);
  });
  it('gradcam --alpha abc', async () => {
    const r = await cliAsync(['gradcam', '--model', 'resnet8_small', '--input', X, '--layer', 'layer3', '--output', join(tmp, 'c.npy'), '--alpha', 'abc']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/gradcam: --alpha must be a number, got 'abc'/);
  });
  it('predict --batch-size 0', async () => {
    const r = await cliAsync([...predictArgs(PTH), '--batch-size', '0']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/predict: --batch-size must be an integer ≥ 1, got '0'/);
  });
  it('predict with a batch past the wasm heap names --batch-size and the failed allocation (a dispose after the failure no longer hides it)', async () => {
    // 4096 images of 32² through 128 channels at full resolution: one activation alone is 2 GiB
    const { createModel } = await import('../../src/zoo/index.js');
    const m = createModel('resnet8_small', { widths: [128, 128, 128], numClasses: 10, inChannels: 3 });
    const wide = join(tmp, 'wide.pth');
    saveTorchFile(wide, modelStateAsTorch(m));
    m.dispose();
    const big = join(tmp, 'big.npy');
    writeNpy(big, new TorchTensor('float32', [4096, 3, 32, 32], new Float32Array(4096 * 3 * 32 * 32).fill(0.1)));
    const r = await cliAsync(['predict', '--model', 'resnet8_small', '--checkpoint', wide, '--input', big, '--output', join(tmp, 'yb.npy'),
      '--backend', 'wasm', '--config', '{"widths":[128,128,128]}', '--batch-size', '4096']);
    rmSync(big);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/--batch-size: prediction with --batch-size 4096 ran out of memory \(wasm heap out of memory: could not allocate [\d.]+ MiB with \d+ MiB in use \(the wasm backend addresses at most 4 GiB\)\); expected a smaller --batch-size$/m);
  });
  it('plot on a JSON array says array, not object', async () => {
    const f = join(tmp, 'arr.json');
    writeFileSync(f, '[1, 2]');
    const r = await cliAsync(['plot', f]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/expected a JSON object .*got an array \(2 items\)/);
  });
  it('plot --format gif', async () => {
    const r = await cliAsync(['plot', join(tmp, 'arr.json'), '--format', 'gif']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/plot: --format must be png, svg or both, got 'gif'/);
  });
  it('chex with an unknown subcommand', async () => {
    const r = await cliAsync(['chex', 'shrink']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/chex: unknown subcommand 'shrink' \(compact, eval-table\)/);
  });
  it('a CHEX value flag without --grow-prune', async () => {
    const r = await cliAsync(['train', '--config', CONFIG, '--channel-sparsity', '0.5']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/train: --channel-sparsity needs --grow-prune/);
  });
  it('a preset that does not exist lists the presets', async () => {
    const r = await cliAsync(['train', '--config', 'nosuchpreset']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/config: unknown preset 'nosuchpreset' \(available: .*quick/);
  });
  it('repro --tier huge', async () => {
    const r = await cliAsync(['repro', 'pix-squeeze', '--tier', 'huge', '--out', join(tmp, 'ro'), '--work', join(tmp, 'rw')]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/tier/);
    expect(r.err).toMatch(/huge/);
  });
});

describe.concurrent('environment', () => {
  const flops = ['flops', '--model', 'resnet8_small', '--input', '8'];
  it.each(['0', 'abc', '1.5', '1e400', '100000', '-2'])('CHANLAB_NATIVE_THREADS=%s is an error naming the range', async (v) => {
    const r = await cliAsync(flops, { CHANLAB_NATIVE_THREADS: v });
    expect(r.rc).toBe(1);
    expect(r.err).toContain(`CHANLAB_NATIVE_THREADS: expected an integer from 1 to 1024 (native kernel threads; this machine has`);
    expect(r.err).toContain(`got '${v}'`);
  });
  it('CHANLAB_NATIVE_THREADS=1024 is the largest allowed', async () => {
    const r = await cliAsync([...flops, '--backend', 'cpu'], { CHANLAB_NATIVE_THREADS: '1024', CHANLAB_NATIVE: '0' });
    expect(r.rc, r.err).toBe(0);
  });
  it('CHANLAB_NATIVE_PATH to a missing file is an error, not a silent fallback', async () => {
    const r = await cliAsync(flops, { CHANLAB_NATIVE_PATH: '/nonexistent.node' });
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/native kernels were asked for \(CHANLAB_NATIVE_PATH=\/nonexistent\.node\) but CHANLAB_NATIVE_PATH: \/nonexistent\.node does not exist/);
  });
  it('CHANLAB_NATIVE_PATH to a file that is no addon is an error naming it', async () => {
    const bogus = join(tmp, 'bogus.node');
    writeFileSync(bogus, 'not an addon');
    const r = await cliAsync(flops, { CHANLAB_NATIVE_PATH: bogus });
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/native kernels were asked for .*bogus\.node failed to load/);
  });
  it.each([['CHANLAB_NATIVE', 'yes'], ['CHANLAB_NATIVE_REQUIRED', 'maybe']])('%s=%s is an error', async (k, v) => {
    const r = await cliAsync(flops, { [k]: v });
    expect(r.rc).toBe(1);
    expect(r.err).toContain(`${k}: expected 0 or 1, got '${v}'`);
  });
  it('CHANLAB_BACKEND=nope is an error naming the variable (flops reads it)', async () => {
    const r = await cliAsync(flops, { CHANLAB_BACKEND: 'nope' });
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/CHANLAB_BACKEND/);
    expect(r.err).toMatch(/nope/);
  });
  it('CHANLAB_BACKEND=cpu: flops counts on cpu (issue 21)', async () => {
    const r = await cliAsync(flops, { CHANLAB_BACKEND: 'cpu' });
    expect(r.rc, r.err).toBe(0);
    expect(r.out).toMatch(/FLOPs of resnet8_small, input 1×8×8×3 \(NHWC\), counted on cpu/);
  });
  it('CHANLAB_BACKEND=cpu: latency runs on cpu (issue 21)', async () => {
    const r = await cliAsync(['latency', '--model', 'resnet8_small', '--input', '8', '--runs', '2', '--warmup', '0'], { CHANLAB_BACKEND: 'cpu' });
    expect(r.rc, r.err).toBe(0);
    expect(r.out).toMatch(/resnet8_small on cpu, input \[1,8,8,3\]/);
    const j = await cliAsync(['latency', '--model', 'resnet8_small', '--input', '8', '--runs', '2', '--warmup', '0', '--json'], { CHANLAB_BACKEND: 'cpu' });
    expect(JSON.parse(j.out).backend).toBe('cpu');
  });
  it('CHANLAB_BACKEND=cpu: chex compact checks on cpu (issue 21)', async () => {
    const r = await cliAsync(['chex', 'compact', '--model', 'resnet50', '--checkpoint', join(ROOT, 'test', 'fixtures', 'checkpoint', 'chex_r50_masked.pth.tar'),
      '--out', join(tmp, 'compact.pth.tar'), '--input', '32'], { CHANLAB_BACKEND: 'cpu' });
    expect(r.rc, r.err).toBe(0);
    expect(r.out).toMatch(/compact ResNet-50 written to .*compact\.pth\.tar \(checked on cpu\)/);
  });
  it('CHANLAB_WASM_THREADS is not read on cpu: CHANLAB_BACKEND=cpu really runs cpu', async () => {
    const r = await cliAsync(flops, { CHANLAB_BACKEND: 'cpu', CHANLAB_WASM_THREADS: 'fuor' });
    expect(r.rc, r.err).toBe(0);
    const w = await cliAsync(flops, { CHANLAB_WASM_THREADS: 'fuor' });
    expect(w.rc).toBe(1);
    expect(w.err).toMatch(/CHANLAB_WASM_THREADS: expected a positive integer/);
  });
  it('run from another working directory: git commit, version and native kernels come from the package', async () => {
    const run = join(tmp, 'elsewhere-run');
    const r = await cliAsync(['train', '--config', CONFIG, '--run-dir', run, '--quiet', '--backend', 'wasm'], {}, tmpdir());
    expect(r.rc, r.err).toBe(0);
    const m = manifest(run);
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
    expect(m.git.commit).toBe(head);
    expect(m.versions.chanlab).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(m.backend.detail).toMatch(NATIVE_BUILT ? /native kernels on: / : /native kernels off/);
  });
});

describe.concurrent('data', () => {
  const png = (seed: number) => encodePng({ data: Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => (i * 37 + seed * 11) & 255), height: 8, width: 8, channels: 3 });
  /** root/train/<train classes>/*.png, root/val/<val classes>/*.png */
  function imageFolders(name: string, train: string[], val: string[]): string {
    const root = join(tmp, name);
    for (const [split, classes] of [['train', train], ['val', val]] as const) {
      for (const [k, c] of classes.entries()) {
        mkdirSync(join(root, split, c), { recursive: true });
        for (let i = 0; i < 2; i++) writeFileSync(join(root, split, c, `${i}.png`), png(k * 10 + i));
      }
    }
    return root;
  }
  const imagenetSet = (root: string) => JSON.stringify({ data: { dataset: 'imagenet', root, inputSize: 8, trainLimit: null, testLimit: null } });

  it('train/ a,b,c and val/ a,c: val keeps the training split\'s numbering (c is 2, not 1)', () => {
    const root = imageFolders('if-missing', ['a', 'b', 'c'], ['a', 'c']);
    const d = buildDatasets({ dataset: 'imagenet', root }, 0);
    const val = d.test as unknown as { samples: Array<[string, number]>; classes: string[] };
    expect(d.numClasses).toBe(3);
    expect(val.classes).toEqual(['a', 'b', 'c']);
    expect(val.samples.map(([p, l]) => `${p.split('/').slice(-2, -1)[0]}:${l}`)).toEqual(['a:0', 'a:0', 'c:2', 'c:2']);
  });
  it('a training run on such folders warns which class the validation split lacks', async () => {
    const root = imageFolders('if-missing-run', ['a', 'b', 'c'], ['a', 'c']);
    const r = await cliAsync(['train', '--config', CONFIG, '--run-dir', join(tmp, 'if-run'), '--quiet', '--set', imagenetSet(root)]);
    expect(r.rc, r.err).toBe(0);
    expect(r.err).toMatch(/warning: .*val has no images of 1 class\(es\) of .*train: b \(labels keep the training split's numbering/);
  });
  it('a validation class the training split lacks is an error naming it', async () => {
    const root = imageFolders('if-unknown', ['a', 'b'], ['a', 'b', 'd']);
    const r = await cliAsync(['train', '--config', CONFIG, '--run-dir', join(tmp, 'if-unknown-run'), '--quiet', '--set', imagenetSet(root)]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/config\.data\.root: ImageFolder: .*val has class folder\(s\) 'd' that .*train lacks/);
  });
  it('a PNG whose IHDR is corrupt reports the CRC mismatch, not a bad filter type', async () => {
    const root = imageFolders('if-crc', ['a'], ['a']);
    const bad = png(3);
    bad[16] ^= 0x01; // IHDR width: chunk data starts at byte 16
    writeFileSync(join(root, 'val', 'a', '0.png'), bad);
    const r = await cliAsync(['train', '--config', CONFIG, '--run-dir', join(tmp, 'if-crc-run'), '--quiet', '--set', imagenetSet(root)]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/val\/a\/0\.png \(index 0\): corrupt PNG: IHDR chunk CRC mismatch/);
    expect(r.err).not.toMatch(/filter type/);
  });
  it('a CIFAR root that does not exist', async () => {
    const r = await cliAsync(['train', '--config', CONFIG, '--run-dir', join(tmp, 'noroot'), '--set', JSON.stringify({ data: { root: join(tmp, 'nope') } })]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/config\.data\.root: cifar10 directory .*nope does not exist/);
  });
  it('predict on an integer .npy', async () => {
    const xi = join(tmp, 'xi.npy');
    writeNpy(xi, new TorchTensor('int32', [1, 3, 8, 8], new Int32Array(192)));
    const r = await cliAsync(predictArgs(PTH, xi));
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/predict: input .*xi\.npy must be a float array \(f2\/f4\/f8\), got int32/);
  });
  it('gradcam on a missing input file', async () => {
    const r = await cliAsync(['gradcam', '--model', 'resnet8_small', '--input', join(tmp, 'none.npy'), '--layer', 'layer3', '--output', join(tmp, 'c.npy')]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/input: file not found: .*none\.npy/);
  });
});

describe.concurrent('checkpoints', () => {
  it('a zip member whose CRC fails (one exponent bit flipped) is refused, naming the member', async () => {
    const b = new Uint8Array(readFileSync(PTH));
    const v = new DataView(b.buffer);
    let p = 0; // the local header of the first tensor record, 'r8/data/0'
    while (!(v.getUint32(p, true) === 0x04034b50 && Buffer.from(b.subarray(p + 30, p + 30 + v.getUint16(p + 26, true))).toString().endsWith('/data/0'))) p++;
    b[p + 30 + v.getUint16(p + 26, true) + v.getUint16(p + 28, true) + 3] ^= 0x01;
    const bad = join(tmp, 'crc.pth');
    writeFileSync(bad, b);
    const r = await cliAsync(predictArgs(bad));
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/crc\.pth: corrupt zip archive: member '.*\/data\/0' fails its CRC-32 check/);
  });
  it('a state dict with a non-tensor value names the entry', async () => {
    const bad = pthVariant('str.pth', (sd) => (sd.set('fc.weight', 'oops'), sd));
    const r = await cliAsync(predictArgs(bad));
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/entry 'fc\.weight' of the state dict is string oops, expected a tensor/);
  });
  it('a list checkpoint says list, not object', async () => {
    const bad = pthVariant('list.pth', (sd) => [...sd.values()].slice(0, 2));
    const r = await cliAsync(predictArgs(bad));
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/expected a dict checkpoint .*got list\(len 2\)/);
  });
  it('a checkpoint missing fc.weight reports the missing key, not a size mismatch from a guessed class count', async () => {
    const bad = pthVariant('nofc.pth', (sd) => (sd.delete('fc.weight'), sd));
    const r = await cliAsync(predictArgs(bad));
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/fc\.weight/);
    expect(r.err).not.toMatch(/size mismatch|shape mismatch/i);
  });
  it('an unexpected key: no hint about a different model', async () => {
    const bad = pthVariant('extra.pth', (sd) => (sd.set('extra.weight', sd.get('fc.bias')), sd));
    const r = await cliAsync(predictArgs(bad));
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/extra\.weight/);
    expect(r.err).toMatch(/hint: the checkpoint and the model are the same architecture/);
    expect(r.err).not.toMatch(/this looks like/);
  });
  it('a truncated training checkpoint is named', async () => {
    const bad = join(tmp, 'trunc.safetensors');
    writeFileSync(bad, readFileSync(join(GOOD, 'final.safetensors')).subarray(0, 500));
    const r = await cliAsync(['eval', '--checkpoint', bad, '--data', `cifar10:${CIFAR10}`, '--backend', 'cpu']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/trunc\.safetensors: truncated or not a checkpoint/);
  });
  it('chex compact with a mask that zeroes a whole conv names the layer', async () => {
    const raw = loadTorchFile(join(ROOT, 'test', 'fixtures', 'checkpoint', 'chex_r50_masked.pth.tar')) as Map<string, unknown>;
    const sd = (raw.get('state_dict') ?? raw) as Map<string, TorchTensor>;
    // a CHEX mask zeroes a channel's filter and its BN's γ and β: here every channel of layer2.1.conv1
    for (const suffix of ['layer2.1.conv1.weight', 'layer2.1.bn1.weight', 'layer2.1.bn1.bias']) {
      (sd.get([...sd.keys()].find((k) => k.endsWith(suffix))!)!.data as Float32Array).fill(0);
    }
    const bad = join(tmp, 'chex-zero.pth.tar');
    saveTorchFile(bad, raw as never);
    const r = await cliAsync(['chex', 'compact', '--model', 'resnet50', '--checkpoint', bad, '--out', join(tmp, 'cz.pth.tar'), '--backend', 'cpu', '--input', '32']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/chex compact: layer2\.1\.conv1\.weight has all \d+ filters zero .*keeps ≥ 1 channel of layer2\.1\.conv1/);
  });
  it('dgc export --from a .pth file treats it as a file and says it is not a run checkpoint', async () => {
    const r = await cliAsync(['dgc', 'export', '--from', PTH, '--out', join(tmp, 'd.pth.tar')]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/r8\.pth: is a PyTorch file .*not a chanlab training checkpoint/);
  });
  it('dgc export --which on a file is refused', async () => {
    const r = await cliAsync(['dgc', 'export', '--from', join(GOOD, 'final.safetensors'), '--which', 'best', '--out', join(tmp, 'd.pth.tar')]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/--which picks a checkpoint of a run directory; .*final\.safetensors is a file/);
  });
  it('a hand-edited number in a committed result file is refused, not printed as reproduced', async () => {
    const out = join(tmp, 'edited-results');
    mkdirSync(join(out, 'small'), { recursive: true });
    const j = JSON.parse(readFileSync(join(ROOT, 'repro', 'results', 'small', 'pix-ablations.json'), 'utf8'));
    const row = Object.values(j.rows as Record<string, { seeds: Array<{ metrics: { top1: number } }> }>).find((x) => x.seeds.length > 0)!;
    row.seeds[0]!.metrics.top1 += 1;
    writeFileSync(join(out, 'small', 'pix-ablations.json'), JSON.stringify(j));
    // as the committed reference (--update-reference writes there); a scratch --out would be started over instead
    const r = await cliAsync(['repro', 'pix-ablations', '--tier', 'small', '--update-reference', '--reference', out, '--work', join(tmp, 'edited-work')]);
    expect(r.rc).toBe(1);
    // a sealed record (digest) is caught by its digest, an older one by its manifest's top-1
    expect(r.err).toMatch(/pix-ablations\.json is corrupt \(rows\.\w+\.seeds\[0\]: (metrics\.top1 [\d.]+ differs from its manifest's result\.testTop1|its metrics or manifest differ from what the run wrote \(digest mismatch: edited by hand\?\))/);
    expect(r.out).not.toMatch(/reproduced/);
  });
  it('a digest-sealed record: any edit of its metrics is caught', () => {
    const rec = sealed({ seed: 0, metrics: { top1: 50 }, manifest: { status: 'finished' } });
    const file = (r: object) => JSON.stringify({ schema: 'chanlab-repro/1', table: 't', tier: 'quick', commit: null, updated: '', rows: { a: { config: {}, computed: null, seeds: [r] } } });
    expect(() => parseResult(file(rec), 'f.json', 't', 'quick')).not.toThrow();
    expect(() => parseResult(file({ ...rec, metrics: { top1: 51 } }), 'f.json', 't', 'quick')).toThrow(/rows\.a\.seeds\[0\]: .*digest mismatch/);
  });
});

describe.concurrent('numerical failure', () => {
  /** The fixture with a NaN in model.conv1.weight (one value). */
  function nanConv1(): string {
    const bad = join(tmp, `nanconv-${Math.random()}.safetensors`);
    const f = decodeSafetensors(readFileSync(join(GOOD, 'final.safetensors')), 'x');
    f.tensors.get('model.conv1.weight')!.data[0] = NaN;
    writeFileSync(bad, encodeSafetensors(f.tensors, f.metadata));
    return bad;
  }
  it.each(['cpu', 'wasm'])('one NaN weight in conv1 with --allow-non-finite: reported and exit 3 on %s alike', async (backend) => {
    const r = await cliAsync(['eval', '--checkpoint', nanConv1(), '--data', `cifar10:${CIFAR10}`, '--backend', backend, '--allow-non-finite', '--quiet']);
    expect(r.rc).toBe(3);
    expect(r.out).toMatch(/non-finite weights: 1 tensor\(s\) hold NaN\/Inf \(conv1\.weight \(1 of 108\)\); loaded with --allow-non-finite: no output of this model is trustworthy, on any backend/);
  });
  it('predict with NaN weights allowed: reported, exit 3', async () => {
    const bad = pthVariant('nanw.pth', (sd) => {
      ((sd.get('conv1.weight') as TorchTensor).data as Float32Array)[0] = NaN;
      return sd;
    });
    const r = await cliAsync([...predictArgs(bad), '--allow-non-finite']);
    expect(r.rc).toBe(3);
    expect(r.out).toMatch(/non-finite weights: 1 tensor\(s\) hold NaN\/Inf \(conv1\.weight/);
  });
  it('gradcam on an input with one NaN pixel: no class, a NaN map, reported, exit 3', async () => {
    const x = new Float32Array(2 * 3 * 64).fill(0.5);
    x[3 * 64 + 5] = NaN; // sample 1
    const xin = join(tmp, 'gc-nan.npy');
    writeNpy(xin, new TorchTensor('float32', [2, 3, 8, 8], x));
    const out = join(tmp, 'gc-nan-cam.npy');
    const r = await cliAsync(['gradcam', '--model', 'resnet8_small', '--config', '{"widths":[4,4,8]}', '--input', xin, '--layer', 'layer3', '--output', out, '--backend', 'cpu']);
    expect(r.rc).toBe(3);
    expect(r.out).toMatch(/classes \[\d+, —\]/);
    expect(r.out).toMatch(/non-finite inputs: 1 of 2 samples hold NaN\/Inf \(first: sample 1\); their CAMs \(and no class\) are NaN/);
    const cam = readFileSync(out);
    expect(cam.length).toBeGreaterThan(0);
  });
  it('gradcam on a finite input: exit 0, no report', async () => {
    const r = await cliAsync(['gradcam', '--model', 'resnet8_small', '--config', '{"widths":[4,4,8]}', '--input', X, '--layer', 'layer3', '--output', join(tmp, 'gc-ok.npy'), '--backend', 'cpu']);
    expect(r.rc, r.err).toBe(0);
    expect(r.out).not.toMatch(/non-finite/);
  });
});

/** Starts `chanlab train` in the background; resolves once its run has a checkpoint (or `steps` steps logged). */
async function startTrain(args: string[], runDir: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, 'train', ...args, '--run-dir', runDir, '--quiet'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  const t0 = Date.now();
  while (Date.now() - t0 < 120_000 && !existsSync(join(runDir, 'last.safetensors'))) await new Promise((r) => setTimeout(r, 25));
  return { child, exited, stderr: () => stderr };
}

describe.concurrent('kills, crashes and concurrency', () => {
  it('a native-style crash (signal 11) leaves running + a lock; the next start marks it failed and resumes', async () => {
    const run = join(tmp, 'crash');
    const cfg = join(tmp, 'crash.json');
    writeFileSync(cfg, JSON.stringify({ ...TINY, data: { ...TINY.data, trainLimit: 16 }, epochs: 2, batchSize: 2, checkpointEvery: 2 }));
    const a = await startTrain(['--config', cfg], run);
    a.child.kill('SIGSEGV');
    expect((await a.exited).signal).toBe('SIGSEGV');
    expect(manifest(run).status).toBe('running');
    expect(existsSync(join(run, 'run.lock'))).toBe(true);
    const r = await cliAsync(['train', '--resume', '--run-dir', run, '--quiet']);
    expect(r.rc, r.err).toBe(0);
    expect(r.err).toMatch(/warning: runDir: .*crash: process \d+ .*ended without closing the run/);
    const m = manifest(run);
    expect(m.resumes[0].previous).toMatch(/^failed: process \d+ .*ended without closing the run \(a crash such as signal 11/);
    expect(m.resumes[0].backend.name).toBe('cpu');
  }, 600_000);

  it('kill -9, then --resume from another working directory: the final checkpoint is byte-identical to an uninterrupted run', async () => {
    // the package root, build info and native kernels come from the package, not the working directory (wasm here:
    // with the addon built, the resumed process must run the same native kernels or the weights differ)
    const cfg = join(tmp, 'cwd-resume.json');
    writeFileSync(cfg, JSON.stringify({ ...TINY, backend: 'wasm', epochs: 3, batchSize: 2, checkpointEvery: 4 }));
    const whole = join(tmp, 'cwd-whole');
    const w = await cliAsync(['train', '--config', cfg, '--run-dir', whole, '--quiet']);
    expect(w.rc, w.err).toBe(0);
    const run = join(tmp, 'cwd-killed');
    const a = await startTrain(['--config', cfg], run);
    a.child.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    expect(existsSync(join(run, 'final.safetensors'))).toBe(false);
    const r = await cliAsync(['train', '--resume', '--run-dir', run, '--quiet'], {}, tmpdir());
    expect(r.rc, r.err).toBe(0);
    expect(readFileSync(join(run, 'final.safetensors')).equals(readFileSync(join(whole, 'final.safetensors')))).toBe(true);
    expect(manifest(run).resumes[0].backend.detail).toBe(manifest(whole).backend.detail);
  }, 600_000);

  it('a stale run (dead process, manifest running) is marked failed at the next start, which says so', async () => {
    const run = join(tmp, 'stale');
    cpSync(GOOD, run, { recursive: true });
    writeFileSync(join(run, 'manifest.json'), JSON.stringify({ ...manifest(GOOD), status: 'running' }));
    writeFileSync(join(run, 'run.lock'), JSON.stringify({ pid: deadPid(), host: hostname(), time: 'then' }));
    const r = await cliAsync(['train', '--resume', '--run-dir', run, '--quiet']);
    expect(r.rc, r.err).toBe(0);
    expect(r.err).toMatch(/warning: runDir: .*stale: process \d+ \(started then\) ended without closing the run/);
    expect(manifest(run).resumes.at(-1).previous).toMatch(/^failed: process \d+/);
    expect(manifest(run).status).toBe('finished');
  });

  it('a temp checkpoint file of a kill during the first write is removed at the next start', async () => {
    const run = join(tmp, 'temp');
    mkdirSync(run);
    writeFileSync(join(run, 'config.json'), JSON.stringify(TINY));
    writeFileSync(join(run, 'manifest.json'), JSON.stringify({ status: 'running', resumes: [] }));
    const dead = deadPid();
    writeFileSync(join(run, `.last.safetensors.${dead}.1700000000000.tmp`), 'half a checkpoint');
    writeFileSync(join(run, 'run.lock'), JSON.stringify({ pid: dead, host: hostname(), time: 'then' }));
    const r = await cliAsync(['train', '--config', CONFIG, '--run-dir', run, '--quiet']);
    expect(r.rc, r.err).toBe(0);
    expect(r.err).toMatch(/removed 1 temp file\(s\) of an interrupted write/);
    expect(readdirSync(run).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a lock naming a live unrelated process: refused with the way out; with its start time recorded, a reused pid is no owner', async () => {
    const sleeper = spawn('sleep', ['60']);
    try {
      const run = join(tmp, 'liveother');
      mkdirSync(run);
      writeFileSync(join(run, 'run.lock'), JSON.stringify({ pid: sleeper.pid, host: hostname(), time: 'then' }));
      const a = await cliAsync(['train', '--config', CONFIG, '--run-dir', run, '--quiet']);
      expect(a.rc).toBe(1);
      expect(a.err).toMatch(new RegExp(`in use by process ${sleeper.pid} .*If process ${sleeper.pid} is not a chanlab run of this directory \\(check \`ps -p ${sleeper.pid}\`\\), delete .*run\\.lock`));
      writeFileSync(join(run, 'run.lock'), JSON.stringify({ pid: sleeper.pid, host: hostname(), time: 'then', start: '1' }));
      const b = await cliAsync(['train', '--config', CONFIG, '--run-dir', run, '--quiet']);
      expect(b.rc, b.err).toBe(0);
    } finally {
      sleeper.kill();
    }
  });

  it('a resume on another kernel path is refused; --allow-kernel-change continues and records it', async () => {
    const run = join(tmp, 'kernels');
    cpSync(GOOD, run, { recursive: true });
    const a = await cliAsync(['train', '--resume', '--run-dir', run, '--quiet', '--backend', 'wasm']);
    expect(a.rc).toBe(1);
    expect(a.err).toMatch(/resume: .*kernels ran on cpu but this process runs on wasm .*would not be exact; .*--allow-kernel-change/);
    expect(manifest(run).status).toBe('finished'); // the refusal changed nothing
    const b = await cliAsync(['train', '--resume', '--run-dir', run, '--quiet', '--backend', 'wasm', '--allow-kernel-change']);
    expect(b.rc, b.err).toBe(0);
    expect(manifest(run).resumes.at(-1).kernelChange).toMatch(/^cpu → wasm/);
  });

  it('a wasm run resumed with the native kernels switched off is refused (where the addon is built)', async () => {
    const run = join(tmp, 'native-off');
    cpSync(GOOD, run, { recursive: true });
    writeFileSync(join(run, 'manifest.json'), JSON.stringify({ ...manifest(GOOD), backend: { name: 'wasm', detail: 'XNNPACK, SIMD on, 1 thread; native kernels on: oneDNN 2.6.3, 2 threads' } }));
    const r = await cliAsync(['train', '--resume', '--run-dir', run, '--quiet', '--backend', 'wasm'], { CHANLAB_NATIVE: '0' });
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/ran on wasm \+ native kernels \(oneDNN 2\.6\.3, 2 threads\) but this process runs on wasm \(pure wasm kernels\)/);
  });

  it('kill -9 mid-run, then dgc export of the unfinished DGC run warns; --resume finishes it', async () => {
    const run = join(tmp, 'dgc-run');
    const cfg = join(tmp, 'dgc.json');
    writeFileSync(cfg, JSON.stringify({
      model: 'dyresnet_bottleneck_small', modelConfig: { layers: [1, 1, 1] },
      data: { dataset: 'synthetic', synthetic: { trainSize: 16, testSize: 8, height: 8, width: 8, channels: 1, numClasses: 4 } },
      epochs: 2, batchSize: 4, optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 }, schedule: { kind: 'cosine' }, loss: { kind: 'ce' },
      seed: 0, backend: 'cpu', logEvery: 1, checkpointEvery: 2,
    }));
    const a = await startTrain(['--config', cfg], run);
    a.child.kill('SIGKILL');
    await a.exited;
    const e = await cliAsync(['dgc', 'export', '--from', run, '--out', join(tmp, 'dgc.pth.tar')]);
    expect(e.rc, e.err).toBe(0);
    expect(e.err).toMatch(/warning: dgc export: the run in .*dgc-run has not finished \(manifest 'running' but its process \d+ is gone \(crashed or killed\)\): exporting its checkpoint at step \d+, epoch \d+, best_prec1 0 \(no evaluation yet\)/);
    const r = await cliAsync(['train', '--resume', '--run-dir', run, '--quiet']);
    expect(r.rc, r.err).toBe(0);
    expect(manifest(run).status).toBe('finished');
    const f = await cliAsync(['dgc', 'export', '--from', run, '--which', 'final', '--out', join(tmp, 'dgc2.pth.tar')]);
    expect(f.rc, f.err).toBe(0);
    expect(f.err).not.toMatch(/warning/);
  });
});

describe.concurrent('Slurm options of scripts/run-table.mjs', () => {
  const table = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [join(ROOT, 'scripts', 'run-table.mjs'), 'scale-toy', '--tier', 'quick', '--work', join(tmp, 'rt-work'), '--out', join(tmp, 'rt-out'), ...args],
      { env: { ...TEST_TABLES_ENV, ...env } });
  it.each([
    ['--partition', 'gpu\necho pwned', /--partition must be a Slurm partition name/],
    ['--partition', 'gpu; rm -rf $HOME', /--partition must be a Slurm partition name/],
    ['--account', 'lab"x', /--account must be a Slurm account name/],
    ['--time', 'abc', /--time must be a Slurm time limit/],
    ['--mem', 'lots', /--mem must be a Slurm memory size/],
  ])('%s %j is refused before any script is written', async (flag, value, message) => {
    const r = await table(['--slurm', '--dry-run', flag, value]);
    expect(r.rc).toBe(2);
    expect(r.err).toMatch(message);
  });
  it('valid options are written quoted, one #SBATCH line each', async () => {
    const r = await table(['--slurm', '--dry-run', '--partition', 'gpu,debug', '--account', 'lab-1', '--time', '1-12:00:00', '--mem', '32G']);
    expect(r.rc, r.err).toBe(0);
    for (const l of ['#SBATCH --partition="gpu,debug"', '#SBATCH --account="lab-1"', '#SBATCH --time="1-12:00:00"', '#SBATCH --mem="32G"']) expect(r.out).toContain(l);
    for (const l of r.out.split('\n').filter((x) => x.startsWith('#SBATCH'))) expect(l).toMatch(/^#SBATCH --[a-z-]+(="[^"\n]*"|=[a-z0-9]+)?$/);
  });
  it('--retries -1 names the bound', async () => {
    const r = await table(['--retries', '-1']);
    expect(r.rc).toBe(2);
    expect(r.err).toMatch(/--retries must be an integer ≥ 0, got '-1'/);
  });
  it('a submit without a reachable Slurm controller is a message, not a stack trace', async () => {
    // an sbatch that answers as one does when slurmctld is down (a real one retries for a minute first)
    const bin = join(tmp, 'fake-slurm');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'sbatch'), '#!/bin/sh\necho "sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)" >&2\nexit 1\n', { mode: 0o755 });
    const r = await table(['--slurm'], { PATH: `${bin}:${process.env.PATH}` });
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/run-table: sbatch .*array-.*\.sh failed: sbatch: error: .*Unable to contact slurm controller .*is the Slurm controller reachable/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
  it('runs under zx as under node: its own path is not read as a table (issue 21)', async () => {
    const r = await run(join(ROOT, 'node_modules', '.bin', 'zx'), [join(ROOT, 'scripts', 'run-table.mjs'), 'scale-toy', '--tier', 'quick', '--dry-run',
      '--work', join(tmp, 'zx-work'), '--out', join(tmp, 'zx-out')], { env: TEST_TABLES_ENV });
    expect(r.rc, r.err).toBe(0);
    expect(r.out).toMatch(/scale-toy \(quick, 1 seed\(s\)\): 2 unit\(s\)/);
    expect(r.err).not.toMatch(/unknown table/);
  });
});

describe.concurrent('help and launchers (issue 21)', () => {
  it('chanlab --help: one summary sentence per command', async () => {
    const r = await cliAsync(['--help']);
    expect(r.rc).toBe(0);
    const lines = r.out.split('\n').filter((l) => /^ {2}[a-z]+ +\S/.test(l) && !/^ {2}CHANLAB/.test(l));
    expect(lines.map((l) => l.trim().split(/\s+/)[0])).toEqual(Object.keys(COMMANDS));
    for (const l of lines) {
      const s = l.trim().replace(/^[a-z]+\s+/, '');
      expect(s, l).toMatch(/^[A-Z][^.]*(\.[^ .][^.]*)*[a-z0-9)]\.$/); // one sentence: capital, ends with its only full stop
      expect(s.split(' ').length, l).toBeGreaterThanOrEqual(6);
      expect(s, l).not.toMatch(/^\[|--/); // not a flag list
    }
  });
  it('every option of every command is named in its help', () => {
    for (const [name, c] of Object.entries(COMMANDS)) {
      for (const k of Object.keys(c.options)) expect(c.help, `${name} --${k}`).toContain(`--${k}`);
    }
  });
  it('the sources launcher (npm run quick / repro) exits like chanlab: 3 for non-finite outputs', async () => {
    const bad = join(tmp, 'nan-launch.safetensors');
    const f = decodeSafetensors(readFileSync(join(GOOD, 'final.safetensors')), 'x');
    f.tensors.get('model.fc.weight')!.data.fill(NaN);
    writeFileSync(bad, encodeSafetensors(f.tensors, f.metadata));
    const args = ['eval', '--checkpoint', bad, '--data', `cifar10:${CIFAR10}`, '--backend', 'cpu', '--allow-non-finite', '--quiet'];
    const viaSources = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'run.ts'), ...args]);
    const viaBin = await cliAsync(args);
    expect(viaBin.rc).toBe(3);
    expect(viaSources.rc, viaSources.err).toBe(3);
  });
  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('npm run repro passes %s through as %i, with the checkpoint saved', async (sig, code) => {
    const work = join(tmp, `npm-${sig}`);
    const child = spawn('npm', ['run', '-s', 'repro', '--', 'scale-toy/b', '--tier', 'quick', '--backend', 'cpu', '--work', work, '--out', join(tmp, `npm-out-${sig}`)],
      { cwd: ROOT, env: { ...process.env, ...TEST_TABLES_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    const runDir = join(work, 'quick', 'scale-toy', 'b', 'seed-0');
    const t0 = Date.now();
    while (!existsSync(join(runDir, 'last.safetensors')) && Date.now() - t0 < 240_000) await new Promise((r) => setTimeout(r, 50));
    const pid = JSON.parse(readFileSync(join(runDir, 'run.lock'), 'utf8')).pid as number;
    process.kill(pid, sig); // the chanlab process npm started (through sh)
    expect(await exited, err).toBe(code);
    expect(err).toMatch(new RegExp(`chanlab: interrupted by ${sig} at step \\d+`));
    expect(manifest(runDir).status).toBe('interrupted');
  }, 600_000);
});
