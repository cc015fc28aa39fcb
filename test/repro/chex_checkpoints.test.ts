// The CHEX checkpoint table: the unpruned baselines exact at the quick tier; a released checkpoint supplied through
// --chex-checkpoints (here a synthetic masked ResNet-18 under its README file name) is counted, the others show
// "not run" and are not failures; a missing input folder is refused before anything runs.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { saveModelAsTorch } from '../../src/checkpoint/export.js';
import { countFlops } from '../../src/flops/counter.js';
import { ChexExplorer } from '../../src/methods/chex/explorer.js';
import { CHEX_BASELINE_MACS } from '../../src/methods/chex/table.js';
import { manualSeed } from '../../src/nn/init.js';
import { createModel } from '../../src/zoo/index.js';
import type { TrainConfig } from '../../src/train/config.js';
import type { TableDefinition } from '../../repro/definition.js';
import { TABLES } from '../../repro/definitions/index.js';
import { buildCells } from '../../repro/render.js';
import { loadResult } from '../../repro/results.js';
import { runTables } from '../../repro/runner.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-repro-chex-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await useBackend('wasm');
  manualSeed(3);
});

const table = TABLES.find((t) => t.id === 'chex-checkpoints')!;

it('baselines within; a supplied checkpoint is counted, the rest "not run" without failing', async () => {
  const ckpts = join(tmp, 'ckpts');
  const m = createModel('chex_resnet18');
  const ex = new ChexExplorer(m, { channelSparsity: 0.5, initChannelRatio: 0.1, deltaT: 1, tMax: 1 }, 1);
  ex.onEpochStart(0);
  saveModelAsTorch(m, join(ckpts, 'resnet18_1gflops_69.6top1.pth.tar'), { prefix: 'module.', extra: { epoch: 0 } });
  const macs = (await countFlops(m, { inputShape: [1, 224, 224, 3], convention: 'chex' })).totals.macs;
  ex.dispose();
  m.dispose();
  const logs: string[] = [];
  const opts = { select: ['chex-checkpoints'], tier: 'quick', backend: 'wasm', outDir: join(tmp, 'out'), workDir: join(tmp, 'work'), quiet: true, env: {} };
  // without the folder the checkpoint rows are skipped, not failed
  const [bare] = await runTables(TABLES, { ...opts, log: (l) => logs.push(l) });
  expect(bare!.failures).toEqual([]);
  expect(logs.filter((l) => l.includes('not run (no released checkpoints'))).toHaveLength(8);
  const [run] = await runTables(TABLES, { ...opts, inputs: { 'chex-checkpoints': ckpts }, log: () => {} });
  expect(run!.failures).toEqual([]);
  expect(run!.ran).toBe(1); // the baselines are not recomputed, only the supplied checkpoint's row runs
  const file = loadResult(join(tmp, 'out', 'quick', 'chex-checkpoints.json'), 'chex-checkpoints', 'quick')!;
  const cells = buildCells(table, 'quick', file);
  const get = (row: string, metric: string) => cells.find((c) => c.row === row && c.metric === metric)!;
  for (const b of ['resnet18', 'resnet34', 'resnet50', 'resnet101']) expect(get(b, 'flops').status, b).toBe('within');
  expect(file.rows.resnet50!.computed!.metrics.flops! * 1e9).toBeCloseTo(CHEX_BASELINE_MACS.chex_resnet50, 0);
  expect(get('r18-1p03g', 'flops').reproduced!.mean).toBeCloseTo(macs / 1e9, 12);
  expect(get('r18-1p03g', 'reduction_pct').reproduced!.mean).toBeCloseTo(100 * (1 - macs / CHEX_BASELINE_MACS.chex_resnet18), 9);
  expect(['within', 'above', 'below']).toContain(get('r18-1p03g', 'flops').status);
  expect(get('r34-2g', 'flops').status).toBe('not run');
  expect(get('r34-2g', 'flops').reproduced).toBeNull();
  // a folder that does not exist is refused before anything runs, naming the option
  await expect(runTables(TABLES, { ...opts, inputs: { 'chex-checkpoints': join(tmp, 'nope') }, log: () => {} }))
    .rejects.toThrow(/--chex-checkpoints: .*nope is not a directory; expected the folder of the released CHEX/);
  await expect(runTables(TABLES, { ...opts, env: { CHANLAB_CHEX_CHECKPOINTS: join(tmp, 'nope') }, log: () => {} }))
    .rejects.toThrow(/CHANLAB_CHEX_CHECKPOINTS: .*nope is not a directory/);
}, 240_000);

it('a CHEX training row is measured on its compacted network (per seed), a dense row on its own', async () => {
  const synth: TrainConfig = {
    model: 'resnet8_small', modelConfig: { widths: [8, 8, 16] },
    data: { dataset: 'synthetic' as const, synthetic: { trainSize: 64, testSize: 16, height: 12, width: 12, channels: 1, numClasses: 3 } },
    epochs: 3, batchSize: 16, optimizer: { kind: 'sgd' as const, lr: 0.05, momentum: 0.9 }, schedule: { kind: 'cosine' as const, warmupEpochs: 0, minLr: 0 },
    loss: { kind: 'ce' as const, labelSmoothing: 0 }, seed: 0, backend: 'wasm', logEvery: 100,
  };
  const chex = { channelSparsity: 0.5, initChannelRatio: 0.2, deltaT: 1, tMax: 2, includeSkip: false };
  const { compactedChexRun } = await import('../../repro/definitions/chex-run.js');
  const { countModel } = await import('../../repro/definitions/counts.js');
  const toy: TableDefinition = {
    id: 'toy-chex', title: 'toy', source: { paper: 'CHEX' as const, table: 'none', doc: 'docs/methods/chex.md §7.5' }, tiers: ['small' as const],
    metrics: [{ key: 'top1', label: 'top-1', unit: '%', decimals: 2 }, { key: 'flops_m', label: 'MACs', unit: 'M', decimals: 4 }],
    rows: [true, false].map((explore) => ({
      id: explore ? 'chex' : 'dense', label: 'x', config: {},
      train: {
        tiers: ['small' as const],
        config: (_t: string, seed: number): TrainConfig => ({ ...synth, seed, ...(explore ? { method: 'chex', chex } : {}) }),
        async metrics(runDir: string, config: TrainConfig) {
          const c = config.chex ? await compactedChexRun(runDir, 12, 1, 'chex')
            : await countModel({ model: config.model, modelConfig: { ...config.modelConfig, numClasses: 3, inChannels: 1 } }, 12, 'chex', 1);
          return { flops_m: c.macs / 1e6 };
        },
      },
    })),
  };
  const [run] = await runTables([toy], { select: ['toy-chex'], tier: 'small', seeds: 2, backend: 'wasm', outDir: join(tmp, 'toy'), workDir: join(tmp, 'toyruns'), quiet: true, log: () => {}, env: {} });
  expect(run!.failures).toEqual([]);
  const file = loadResult(join(tmp, 'toy', 'small', 'toy-chex.json'), 'toy-chex', 'small')!;
  const dense = file.rows.dense!.seeds.map((s) => s.metrics.flops_m!);
  const explored = file.rows.chex!.seeds.map((s) => s.metrics.flops_m!);
  expect(dense[0]).toBe(dense[1]);
  for (const f of explored) expect(f).toBeLessThan(dense[0]!);
  expect(existsSync(join(tmp, 'toyruns', 'small', 'toy-chex', 'chex', 'seed-1', 'compact.pth.tar'))).toBe(true);
}, 240_000);
