// The DataLoader's worker threads (src/data/worker_pool.ts) on a folder of real photos at ImageNet sizes: the same
// bytes as the calling thread for any number of workers (shuffle, RandAugment, RandomErasing, two epochs, resumed
// mid-epoch), a crashed worker fails every pending batch with a message naming what it was loading (never a hang),
// close() ends the threads, and worker counts are checked.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run as trainCli } from '../../src/cli/commands/train.js';
import { ImageFolder } from '../../src/data/image_folder.js';
import { DataLoader, type Batch } from '../../src/data/loader.js';
import { compose, imagenetEvalTransform, imagenetTrainTransform } from '../../src/data/presets.js';
import { DataWorkerPool } from '../../src/data/worker_pool.js';
import { validateConfig, type TrainConfig } from '../../src/train/config.js';

const root = mkdtempSync(join(tmpdir(), 'chanlab-workers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
execFileSync('/usr/bin/python3', ['scripts/fixtures/make_image_fixtures.py', 'folder', root, '23', '3']);

// the PiX LAMB recipe's per-sample pipeline at 48² (small, so the test is quick)
const transform = imagenetTrainTransform({ size: 48, randAugment: 'rand-m7-mstd0.5-inc1', randomErasing: 0.25 });

async function epochs(workers: number | undefined, n: number, from?: { epoch: number; position: number }): Promise<Batch[]> {
  const loader = new DataLoader({ dataset: new ImageFolder({ root }), batchSize: 5, shuffle: true, seed: 11, transform, workers });
  if (from) loader.loadState(from);
  const out: Batch[] = [];
  try {
    for (let e = 0; e < n; e++) for await (const b of loader) out.push(b);
  } finally {
    await loader.close();
  }
  return out;
}

const bytes = (b: Batch) => Buffer.from(b.x.buffer, b.x.byteOffset, b.x.byteLength);

describe('worker threads give the calling thread\'s bytes', () => {
  it('in-process, 1 worker and 3 workers: byte-identical batches over two epochs (shuffle, RandAugment, RandomErasing)', async () => {
    const ref = await epochs(undefined, 2);
    expect(ref.length).toBe(10); // 23 samples in batches of 5, two epochs
    expect(ref[0]!.shape).toEqual([5, 48, 48, 3]);
    for (const workers of [1, 3]) {
      const got = await epochs(workers, 2);
      expect(got.map((b) => [b.epoch, b.batch, [...b.indices]])).toEqual(ref.map((b) => [b.epoch, b.batch, [...b.indices]]));
      for (const [i, b] of got.entries()) {
        expect(b.x.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(bytes(b).equals(bytes(ref[i]!)), `workers ${workers}, batch ${i}`).toBe(true);
        expect([...b.y]).toEqual([...ref[i]!.y]);
        expect(b.waitMs).toBeGreaterThanOrEqual(0);
      }
    }
    // resumed mid-epoch with another worker count: the same batches as the uninterrupted run from there on
    const resumed = await epochs(2, 1, { epoch: 0, position: 3 });
    expect(resumed.map(bytes)).toEqual(ref.slice(3, 5).map(bytes));
  });

  it('one pool shared by two loaders (train and eval transforms)', async () => {
    const pool = new DataWorkerPool(2);
    try {
      const ds = new ImageFolder({ root });
      const a = new DataLoader({ dataset: ds, batchSize: 4, transform: imagenetEvalTransform({ size: 40 }), workers: pool });
      const b = new DataLoader({ dataset: ds, batchSize: 4, shuffle: true, seed: 3, transform, workers: pool });
      const [x, y] = await Promise.all([a.batchAt(0, 1), b.batchAt(1, 2)]);
      const a0 = new DataLoader({ dataset: ds, batchSize: 4, transform: imagenetEvalTransform({ size: 40 }) });
      const b0 = new DataLoader({ dataset: ds, batchSize: 4, shuffle: true, seed: 3, transform });
      expect(bytes(x).equals(bytes(await a0.batchAt(0, 1)))).toBe(true);
      expect(bytes(y).equals(bytes(await b0.batchAt(1, 2)))).toBe(true);
      expect(a.workers).toBe(2);
    } finally {
      await pool.close();
    }
  });
});

describe('failures', () => {
  it('a worker that dies fails the pending and later batches, naming what it was loading; no hang', async () => {
    const pool = new DataWorkerPool(2);
    const loader = new DataLoader({ dataset: new ImageFolder({ root }), batchSize: 8, transform, workers: pool });
    try {
      await loader.batchAt(0, 0); // the workers are up
      const pending = loader.batchAt(0, 1).then(() => 'loaded', (e: Error) => e.message);
      await pool.threads[1]!.terminate(); // as if the thread had crashed (out of memory, a native fault in its code)
      const msg = await pending;
      expect(msg).toMatch(/^data worker 2 of 2 stopped unexpectedly \(exit code 1\) while loading ImageFolder: .*\.JPEG \(index \d+\)/);
      expect(msg).toMatch(/--resume continues from the last checkpoint/);
      await expect(loader.batchAt(0, 2)).rejects.toThrow(/data worker 2 of 2 stopped unexpectedly/);
    } finally {
      await pool.close();
    }
  });

  it('close() ends the threads; the loader starts new ones when used again', async () => {
    const pool = new DataWorkerPool(2);
    const exits = pool.threads.map((t) => new Promise<number>((res) => t.once('exit', res)));
    await pool.close();
    expect((await Promise.all(exits)).length).toBe(2);
    await expect(Promise.resolve().then(() => pool.addJob(null, 0, [1, 1, 3]))).rejects.toThrow(/data worker pool: closed/);
    const loader = new DataLoader({ dataset: new ImageFolder({ root }), batchSize: 3, transform, workers: 1 });
    const first = bytes(await loader.batchAt(0, 0));
    await loader.close();
    expect(bytes(await loader.batchAt(0, 0)).equals(first)).toBe(true);
    await loader.close();
  });

  it('bad worker counts and transforms that cannot run in workers: clear errors', async () => {
    const ds = new ImageFolder({ root });
    for (const w of [0, -1, 1.5, Number.NaN]) {
      expect(() => new DataLoader({ dataset: ds, batchSize: 2, transform, workers: w })).toThrow(/DataLoader workers: expected a positive integer .*got/);
    }
    expect(() => new DataWorkerPool(0)).toThrow(/workers: expected a positive integer/);
    expect(() => new DataLoader({ dataset: ds, batchSize: 2, transform: compose(transform), workers: 2 }))
      .toThrow(/DataLoader workers: the worker threads need a transform with a fixed output size .*none or a plain function/);
    const base: TrainConfig = {
      model: 'resnet8_small', data: { dataset: 'imagenet', root }, epochs: 1, batchSize: 2, optimizer: { kind: 'sgd', lr: 0.1 },
      schedule: { kind: 'constant' }, loss: { kind: 'ce' }, seed: 0,
    };
    for (const w of [0, -2, 2.5]) expect(() => validateConfig({ ...base, data: { ...base.data, workers: w } })).toThrow(/config\.data\.workers: expected an integer ≥ 1/);
    for (const v of ['0', '-3', '1.5', 'two']) {
      await expect(trainCli(['--config', 'quick', `--data-workers=${v}`])).rejects.toThrow(new RegExp(`--data-workers must be an integer ≥ 1, got '${v}'`));
    }
  });
});
