// The DGC table's released-checkpoint rows: with --dgc-checkpoints (a DGC checkpoint in the official training-script
// format under its README file name) and --cifar10 (a 20-image binary test batch) the row evaluates and records the
// top-1 error; without the data set it is skipped ("not run"), not failed. wasm backend.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { saveDgcCheckpoint } from '../../src/checkpoint/dgc.js';
import { manualSeed } from '../../src/nn/init.js';
import { createModel } from '../../src/zoo/index.js';
import { TABLES } from '../../repro/definitions/index.js';
import { buildCells } from '../../repro/render.js';
import { loadResult } from '../../repro/results.js';
import { runTables } from '../../repro/runner.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('chanlab-repro-dgc-');
beforeAll(async () => {
  await useBackend('wasm');
  manualSeed(5);
});

it('a supplied DGC checkpoint and test set give the top-1 error; a missing test set leaves the row "not run"', async () => {
  const ckpts = join(tmp, 'ckpts');
  mkdirSync(ckpts);
  const m = createModel('dydensenet86_cifar10');
  saveDgcCheckpoint(m, join(ckpts, 'cifar10_dydensenet86_h4.tar'), { epoch: 299, bestPrec1: 95.23 });
  m.dispose();
  const cifar = join(tmp, 'cifar');
  mkdirSync(cifar);
  const rec = Buffer.alloc(20 * 3073);
  for (let i = 0; i < 20; i++) {
    rec[i * 3073] = i % 10;
    for (let p = 1; p < 3073; p++) rec[i * 3073 + p] = (i * 37 + p * 11) % 256;
  }
  writeFileSync(join(cifar, 'test_batch.bin'), rec);
  const logs: string[] = [];
  const opts = { select: ['dgc-models/released-dydensenet86-cifar10'], tier: 'small', backend: 'wasm', outDir: join(tmp, 'out'), workDir: join(tmp, 'work'), quiet: true, env: {} };
  const [skipped] = await runTables(TABLES, { ...opts, inputs: { 'dgc-checkpoints': ckpts }, log: (l) => logs.push(l) });
  expect(skipped!.ran).toBe(0);
  expect(skipped!.failures).toEqual([]);
  expect(logs.join('\n')).toMatch(/released-dydensenet86-cifar10 \(small\): not run \(its test set is needed: give --cifar10 DIR\)/);
  const [run] = await runTables(TABLES, { ...opts, inputs: { 'dgc-checkpoints': ckpts, cifar10: cifar }, log: () => {} });
  expect(run!.failures).toEqual([]);
  expect(run!.ran).toBe(1);
  const table = TABLES.find((t) => t.id === 'dgc-models')!;
  const cells = buildCells(table, 'small', loadResult(join(tmp, 'out', 'small', 'dgc-models.json'), 'dgc-models', 'small'));
  const err = cells.find((c) => c.row === 'released-dydensenet86-cifar10' && c.metric === 'top1_err')!;
  expect(err.paper).toBe('4.77');
  const v = err.reproduced!.mean;
  expect(Number.isInteger(v / 5)).toBe(true); // 20 images: multiples of 5 %
  expect(v).toBeGreaterThanOrEqual(0);
  expect(v).toBeLessThanOrEqual(100);
  expect(cells.find((c) => c.row === 'released-dydensenet86-cifar100')!.status).toBe('not run');
}, 240_000);
