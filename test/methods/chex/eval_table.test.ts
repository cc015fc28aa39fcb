// The README checkpoint table as data and `chex eval-table` on a folder holding one (synthetic, masked) ResNet-18
// checkpoint under its README file name: MACs, reduction and tolerance flags; top-1 on a tiny image folder.
import jpeg from 'jpeg-js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/index.js';
import { saveModelAsTorch } from '../../../src/checkpoint/export.js';
import { countFlops } from '../../../src/flops/counter.js';
import { evalTable, formatEvalTable } from '../../../src/train/chex_eval_table.js';
import { ChexExplorer } from '../../../src/methods/chex/explorer.js';
import { CHEX_BASELINE_MACS, CHEX_CHECKPOINTS, flopsMatch, reductionMatch } from '../../../src/methods/chex/table.js';
import { createModel } from '../../../src/zoo/index.js';
import { manualSeed } from '../../../src/nn/init.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir('chanlab-chex-table-');
beforeAll(async () => {
  await useBackend('wasm');
  manualSeed(4);
});

it('table data: 8 rows, README values, baselines and tolerances', async () => {
  expect(CHEX_CHECKPOINTS.map((r) => `${r.label} ${r.flops}G ${r.reduction}% ${r.top1}`)).toEqual([
    'ResNet-18 1.03G 43% 69.6', 'ResNet-34 2G 46% 73.5', 'ResNet-50 3G 27% 78.0', 'ResNet-50 2G 50% 77.4',
    'ResNet-50 1G 75% 76.0', 'ResNet-50 0.8G 80% 74.9', 'ResNet-101 3.4G 55% 78.8', 'ResNet-101 1.9G 75% 77.6',
  ]);
  expect(CHEX_CHECKPOINTS[2]!.driveId).toBe(CHEX_CHECKPOINTS[3]!.driveId); // one file behind two rows
  const m = createModel('chex_resnet18');
  expect((await countFlops(m, { inputShape: [1, 224, 224, 3], convention: 'chex' })).totals.macs).toBe(CHEX_BASELINE_MACS.chex_resnet18);
  m.dispose();
  const r18 = CHEX_CHECKPOINTS[0]!;
  expect(flopsMatch(r18, 1.07e9)).toBe(true);
  expect(flopsMatch(r18, 1.09e9)).toBe(false);
  expect(reductionMatch(r18, 1.03e9)).toBe(true);
}, 60_000);

it('eval-table finds README file names, counts MACs with zeros excluded, and evaluates top-1 on a val folder', async () => {
  const m = createModel('chex_resnet18');
  const ex = new ChexExplorer(m, { channelSparsity: 0.5, initChannelRatio: 0.1, deltaT: 1, tMax: 1 }, 1);
  ex.onEpochStart(0); // keeps floor(C·0.6) of every IN1/SKIP layer
  saveModelAsTorch(m, join(tmp, 'resnet18_1gflops_69.6top1.pth.tar'), { prefix: 'module.', extra: { epoch: 0 } });
  const expectMacs = (await countFlops(m, { inputShape: [1, 224, 224, 3], convention: 'chex' })).totals.macs;
  ex.dispose();
  m.dispose();
  const val = join(tmp, 'val');
  for (const [c, v] of [['n01', 40], ['n02', 200]] as const) {
    mkdirSync(join(val, c), { recursive: true });
    const data = Buffer.alloc(300 * 260 * 4, v);
    writeFileSync(join(val, c, 'a.JPEG'), jpeg.encode({ data, width: 300, height: 260 }, 90).data);
  }
  const rows = await evalTable({ checkpoints: tmp, imagenetVal: val, batchSize: 2 });
  expect(rows.length).toBe(8);
  const r = rows[0]!;
  expect(r.path).toMatch(/resnet18_1gflops_69\.6top1\.pth\.tar$/);
  expect(r.error).toBeNull();
  expect(r.compact).toBe(false);
  expect(r.macs).toBe(expectMacs);
  expect(r.macs!).toBeLessThan(CHEX_BASELINE_MACS.chex_resnet18);
  expect(r.reductionPct).toBeCloseTo(100 * (1 - expectMacs / CHEX_BASELINE_MACS.chex_resnet18), 10);
  expect(r.flopsOk).toBe(flopsMatch(CHEX_CHECKPOINTS[0]!, expectMacs));
  expect([0, 50, 100]).toContain(r.top1);
  expect(rows.slice(1).every((x) => x.path === null && x.macs === null)).toBe(true);
  const text = formatEvalTable(rows);
  expect(text).toMatch(/resnet34_2gflops_73\.5top1 \(not found\)/);
  await expect(evalTable({ checkpoints: join(tmp, 'nope') })).rejects.toThrow(/--checkpoints .* does not exist/);
}, 120_000);
