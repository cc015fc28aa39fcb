// The units behind scripts/run-table.mjs, in process: `--seed k` runs one seed (the row's computation with seed 0),
// the plan tells done from missing units, the collect merges unit result files into the table's file, and result
// files of other code are refused before anything runs.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { scaleToy } from './tables.js';
import type { ResultFile } from '../../repro/results.js';
import { runTables } from '../../repro/runner.js';
import { collectUnits, mergeRow, planUnits, unitOutDir } from '../../repro/units.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-units-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await useBackend('cpu');
});
const unitsDir = join(tmp, 'units');
const outDir = join(tmp, 'results');
const o = { select: ['scale-toy'], tier: 'quick', seeds: 2, outDir, unitsDir };
const state = () => planUnits([scaleToy], o)[0]!.units.map((u) => `${u.row}/${u.seed}${u.compute ? '+compute' : ''}:${u.done ? 'done' : 'todo'}`);

describe('units', () => {
  it('--seed must name one of the seeds', async () => {
    await expect(runTables([scaleToy], { select: ['scale-toy/a'], tier: 'quick', seeds: 2, seed: 2, backend: 'cpu', outDir: join(tmp, 'x'), log: () => {} }))
      .rejects.toThrow("--seed must be an integer in [0, 1] (table 'scale-toy' runs 2 seed(s) at tier quick), got 2");
  });

  it('one unit runs one seed; the plan and the collect see it', async () => {
    expect(state()).toEqual(['a/0+compute:todo', 'a/1:todo', 'b/0:todo', 'b/1:todo']);
    const out = unitOutDir(unitsDir, 'scale-toy', 'a', 1);
    const [run] = await runTables([scaleToy], { select: ['scale-toy/a'], tier: 'quick', seeds: 2, seed: 1, backend: 'cpu', outDir: out, workDir: join(tmp, 'runs'), quiet: true, log: () => {} });
    expect(run!.failures).toEqual([]);
    expect(run!.ran).toBe(1); // seed 1 only: the computation goes with seed 0
    const unitFile = JSON.parse(readFileSync(join(out, 'quick', 'scale-toy.json'), 'utf8')) as ResultFile;
    expect(unitFile.rows.a!.computed).toBeNull();
    expect(unitFile.rows.a!.seeds.map((s) => s.seed)).toEqual([1]);
    expect(state()).toEqual(['a/0+compute:todo', 'a/1:done', 'b/0:todo', 'b/1:todo']);

    const [c] = collectUnits([scaleToy], o);
    expect(c!.merged).toBe(1);
    expect(c!.missing).toEqual(['a seed 0', 'b seed 0', 'b seed 1']);
    const main = JSON.parse(readFileSync(join(outDir, 'quick', 'scale-toy.json'), 'utf8')) as ResultFile;
    expect(main.rows.a!.seeds.map((s) => s.seed)).toEqual([1]);
    expect(main.rows.b).toBeUndefined();
    // collecting again adds nothing and leaves the file alone
    const before = readFileSync(join(outDir, 'quick', 'scale-toy.json'), 'utf8');
    expect(collectUnits([scaleToy], o)[0]!.merged).toBe(0);
    expect(readFileSync(join(outDir, 'quick', 'scale-toy.json'), 'utf8')).toBe(before);
    // --fresh: the selected units' results do not count, the others' do
    expect(planUnits([scaleToy], { ...o, fresh: true })[0]!.units.every((u) => !u.done)).toBe(true);
    expect(planUnits([scaleToy], { ...o, select: ['scale-toy/b'], fresh: true })[0]!.units.map((u) => u.row)).toEqual(['b', 'b']);
  }, 120_000);

  it('a unit result of other code is refused before anything runs', () => {
    const path = join(unitOutDir(unitsDir, 'scale-toy', 'b', 0), 'quick', 'scale-toy.json');
    const other = JSON.parse(readFileSync(join(outDir, 'quick', 'scale-toy.json'), 'utf8')) as ResultFile;
    rmSync(join(unitsDir, 'scale-toy', 'b'), { recursive: true, force: true });
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify({ ...other, commit: '0'.repeat(40) }));
    expect(() => planUnits([scaleToy], o)).toThrow(`${path} was produced at commit ${'0'.repeat(40)}`);
    expect(() => collectUnits([scaleToy], o)).toThrow('rows from two commits would be mixed');
  });

  it('merging rows: the first file\'s seeds and computation win, the rest is added in seed order', () => {
    const m = (seed: number, top1: number) => ({ seed, metrics: { top1 }, manifest: {} as never });
    const merged = mergeRow({ config: {}, computed: null, seeds: [m(2, 50)] }, { config: {}, computed: { metrics: { count: 7 }, manifest: {} as never }, seeds: [m(0, 10), m(2, 99)] });
    expect(merged!.seeds.map((s) => [s.seed, s.metrics.top1])).toEqual([[0, 10], [2, 50]]);
    expect(merged!.computed!.metrics.count).toBe(7);
  });
});
