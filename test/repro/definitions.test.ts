// The suite's table definitions: stable, well-formed ids, a source and tolerance for every paper number, and the exact
// PiX tables reproducing the printed cells (only the documented paper slips differ).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { run as reproCli } from '../../src/cli/commands/repro.js';
import { TIERS } from '../../repro/definition.js';
import { TABLES } from '../../repro/definitions/index.js';
import { buildCells } from '../../repro/render.js';
import { loadResult } from '../../repro/results.js';
import { runTables } from '../../repro/runner.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-repro-defs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('table definitions', () => {
  it('ids are unique kebab-case; sources cite docs/methods; every paper number has a tolerance where it is a target', () => {
    const ids = TABLES.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of TABLES) {
      expect(t.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(t.source.doc).toMatch(/^docs\/methods\/(pix|dgc|chex)\.md §\d/);
      const rows = t.rows.map((r) => r.id);
      expect(new Set(rows).size, t.id).toBe(rows.length);
      for (const r of t.rows) {
        expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(!!r.compute || !!r.train || !!r.pending, `${t.id}/${r.id} has nothing to run`).toBe(true);
        for (const k of Object.keys(r.paper ?? {})) expect(t.metrics.some((m) => m.key === k), `${t.id}/${r.id}.${k}`).toBe(true);
      }
      // building the cells validates every tolerance against its paper value (throws when one is missing)
      for (const tier of TIERS) if (t.tiers.includes(tier)) expect(() => buildCells(t, tier, null)).not.toThrow();
    }
    const h2h = TABLES.find((t) => t.id === 'head-to-head')!;
    expect(h2h.rows.map((r) => [r.id, !!r.pending, r.train?.tiers])).toEqual([
      ['baseline', false, ['quick', 'small']], ['pix', false, ['quick', 'small']], ['dgc', false, ['quick', 'small']], ['chex', false, ['quick', 'small']],
    ]);
    // the DGC variant has the small ResNet's layout: the same keys with every block conv and downsample a DGC layer
    expect(h2h.rows.find((r) => r.id === 'dgc')!.config).toMatchObject({ model: 'dyresnet_bottleneck_small', auxLossWeight: 1e-5 });
    expect(TABLES.find((t) => t.id === 'pix-table1')!.rows.filter((r) => r.pending).map((r) => r.id)).toEqual([]);
  });

  it('PiX supplement Table 1 and the squeeze example: every printed cell within, except the two printed totals that are slips', async () => {
    const runs = await runTables(TABLES, {
      select: ['pix-supp-table1', 'pix-squeeze'], tier: 'quick', backend: 'cpu', outDir: join(tmp, 'results'), quiet: true, log: () => {},
    });
    expect(runs.map((r) => r.failures)).toEqual([[], []]);
    const supp = TABLES.find((t) => t.id === 'pix-supp-table1')!;
    const file = loadResult(join(tmp, 'results', 'quick', 'pix-supp-table1.json'), 'pix-supp-table1', 'quick');
    const cells = buildCells(supp, 'quick', file);
    expect(cells).toHaveLength(24);
    expect(cells.filter((c) => c.status !== 'within')).toEqual([]);
    const sq = TABLES.find((t) => t.id === 'pix-squeeze')!;
    const sqCells = buildCells(sq, 'quick', loadResult(join(tmp, 'results', 'quick', 'pix-squeeze.json'), 'pix-squeeze', 'quick'));
    expect(sqCells.filter((c) => c.status !== 'within').map((c) => [c.row, c.status, c.delta])).toEqual([['pix', 'above', 50], ['w-pix', 'above', 50]]);
  });

  it('DGC: every printed parameter and FLOP count within (the repository counter, printed precision)', async () => {
    const runs = await runTables(TABLES, { select: ['dgc-models'], tier: 'quick', backend: 'wasm', outDir: join(tmp, 'results'), quiet: true, log: () => {}, env: {},
      prepare: () => useBackend('wasm') });
    expect(runs[0]!.failures).toEqual([]);
    const t = TABLES.find((x) => x.id === 'dgc-models')!;
    const cells = buildCells(t, 'quick', loadResult(join(tmp, 'results', 'quick', 'dgc-models.json'), 'dgc-models', 'quick'));
    const targets = cells.filter((c) => c.target);
    expect(targets).toHaveLength(14);
    expect(targets.filter((c) => c.status !== 'within').map((c) => `${c.row}.${c.metric}`)).toEqual([]);
    // released-checkpoint rows exist only where their data can be evaluated, and show "not run" without files
    expect(buildCells(t, 'small', null).filter((c) => c.row.startsWith('released-')).map((c) => [c.row, c.status]))
      .toEqual([['released-dydensenet86-cifar10', 'not run'], ['released-dydensenet86-cifar100', 'not run']]);
  }, 120_000);

  it('chanlab repro names the known tables for an unknown one and the tiers for a missing tier', async () => {
    await expect(reproCli(['nope'])).rejects.toThrow(/unknown table 'nope' \(known tables: pix-supp-table1, pix-squeeze, pix-table1, pix-ablations, pix-latency, chex-checkpoints, dgc-models, head-to-head, frontier;/);
    await expect(reproCli(['pix-ablations', '--tier', 'quick'])).rejects.toThrow(/table 'pix-ablations' has no tier 'quick' \(its tiers: small, full\)/);
    await expect(reproCli(['pix-ablations/e9', '--tier', 'small'])).rejects.toThrow(/unknown row 'e9' of table 'pix-ablations' \(known rows: default, e0-tanh,/);
    await expect(reproCli(['--tier', 'small', '--seeds', 'x'])).rejects.toThrow(/--seeds must be an integer ≥ 1, got 'x'/);
  });
});
