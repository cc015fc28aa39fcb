// The reproduction runner on a toy table (cpu backend, synthetic data): "not run" cells, bad input, resumability
// (a finished row never reruns, a killed training seed resumes from its checkpoint), corrupt / other-commit files.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import type { TrainConfig } from '../../src/train/config.js';
import { train } from '../../src/train/loop.js';
import { Progress } from '../../src/train/progress.js';
import type { TableDefinition } from '../../repro/definition.js';
import { buildCells, tableMarkdown } from '../../repro/render.js';
import type { ResultFile } from '../../repro/results.js';
import { runTables, type ReproOptions } from '../../repro/runner.js';
import { smallResnetRun } from '../helpers/small_resnet_run.js';
import { countRow, toyTable } from '../helpers/toy_table.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-repro-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await useBackend('cpu');
});

const SYNTH: TrainConfig = smallResnetRun([4, 4, 8], [48, 16, 8], {}, {
  optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 }, schedule: { kind: 'cosine', warmupEpochs: 0, minLr: 0 },
  loss: { kind: 'ce', labelSmoothing: 0 }, seed: 0, logEvery: 100,
});

let computeCalls = 0;
const TOY: TableDefinition = toyTable('', [
  countRow('exact', 'exact', { n: 42 }, 42, 42, () => computeCalls++),
  countRow('off', 'off by one', { n: 43 }, 43, 42),
  { id: 'trained', label: 'trained', config: { synth: true }, metrics: ['top1'], train: { tiers: ['quick', 'small'], config: (_t, seed) => ({ ...SYNTH, seed }) } },
  { id: 'later', label: 'later', config: {}, metrics: ['count'], pending: 'method not landed', paper: { count: { value: 1, printed: '1' } } },
  { id: 'big', label: 'small tier only', config: {}, tiers: ['small'], metrics: ['count'], async compute() {
    return { count: 1 };
  } },
]);

function opts(o: Partial<ReproOptions> = {}): ReproOptions {
  return { select: ['toy'], tier: 'quick', backend: 'cpu', outDir: join(tmp, 'results'), workDir: join(tmp, 'runs'), quiet: true, log: () => {}, ...o };
}
const resultPath = (tier = 'quick') => join(tmp, 'results', tier, 'toy.json');

describe('cells without results', () => {
  it('a missing result shows "not run", never a number', () => {
    const cells = buildCells(TOY, 'quick', null);
    expect(cells.map((c) => [c.row, c.status])).toEqual([['exact', 'not run'], ['off', 'not run'], ['trained', 'not run'], ['later', 'not run']]);
    for (const c of cells) expect(c.reproduced).toBeNull();
    const md = tableMarkdown(TOY, 'quick', null);
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| row'));
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      const reproduced = r.split(' | ')[3];
      expect(reproduced).toBe('not run');
    }
    expect(md).toContain('No result file');
  });
});

describe('bad input is refused before anything runs', () => {
  const noRun = async (o: Partial<ReproOptions>, message: RegExp) => {
    let prepared = false;
    await expect(runTables([TOY], opts({ ...o, prepare: async () => ((prepared = true), 'cpu') }))).rejects.toThrow(message);
    expect(prepared).toBe(false);
    expect(existsSync(join(tmp, 'results'))).toBe(false);
  };
  it('unknown table / row ids list the known ones; tiers and seeds are checked', async () => {
    await noRun({ select: ['nope'] }, /unknown table 'nope' \(known tables: toy;/);
    await noRun({ select: ['toy/nope'] }, /unknown row 'nope' of table 'toy' \(known rows: exact, off, trained, later, big\)/);
    await noRun({ tier: 'full' }, /table 'toy' has no tier 'full' \(its tiers: quick, small\)/);
    await noRun({ select: ['toy/big'] }, /row 'toy\/big' has no tier 'quick' \(its tiers: small\)/);
    await noRun({ tier: 'huge' }, /--tier must be one of quick, small, full, got 'huge'/);
    await noRun({ seeds: 0 }, /--seeds must be an integer ≥ 1, got 0/);
  });
});

describe('running, resuming, refusing', () => {
  it('a killed training seed resumes from its checkpoint and ends as an uninterrupted run', async () => {
    // the state a killed `chanlab repro` leaves behind: seed 0 stopped after step 5 (checkpoint at step 4)
    const seedDir = join(tmp, 'runs', 'quick', 'toy', 'trained', 'seed-0');
    await expect(train({
      config: { ...SYNTH, seed: 0 }, runDir: seedDir, progress: new Progress({ quiet: true }),
      onStep: (s) => {
        if (s.step === 5) throw new Error('killed');
      },
    })).rejects.toThrow('killed');
    expect(existsSync(join(seedDir, 'last.safetensors'))).toBe(true);
    expect(existsSync(join(seedDir, 'final.safetensors'))).toBe(false);

    const [run] = await runTables([TOY], opts({ seeds: 2 }));
    expect(run!.failures).toEqual([]);
    expect(run!.ran).toBe(4); // exact, off, seeds 0 and 1
    const file = JSON.parse(readFileSync(resultPath(), 'utf8')) as ResultFile;
    const seeds = file.rows.trained!.seeds;
    expect(seeds.map((s) => s.seed)).toEqual([0, 1]);
    expect(seeds[0]!.manifest.resumes).toHaveLength(1);
    expect(seeds[0]!.manifest.resumes[0]!.step).toBe(4);
    expect(seeds[1]!.manifest.resumes).toHaveLength(0);
    expect(file.rows.later).toBeUndefined();

    // the resumed seed ends bit-identical to an uninterrupted run of the same config
    const ref = join(tmp, 'ref');
    const r = await train({ config: { ...SYNTH, seed: 0 }, runDir: ref, progress: new Progress({ quiet: true }) });
    expect(seeds[0]!.metrics.top1).toBe(r.final!.top1);
    expect(readFileSync(join(seedDir, 'final.safetensors')).equals(readFileSync(join(ref, 'final.safetensors')))).toBe(true);

    const md = readFileSync(resultPath().replace('.json', '.md'), 'utf8');
    expect(md).toMatch(/\| exact `exact` \| count \| 42 \| 42 \| — \| 0 \| within \| — \|/);
    expect(md).toMatch(/\| off by one `off` \| count \| 42 \| 43 \| — \| \+1 \| above \|/);
    expect(md).toMatch(/\| trained `trained` \| top-1 \(%\) \| — \| [\d.]+ ± [\d.]+ \(n=2\) \| \[[\d.-]+, [\d.]+\] \| — \| no target \| — \|/);
    expect(md).toMatch(/\| later `later` \| count \| 1 \| not run \| — \| — \| not run \| — \| method not landed \|/);
  });

  it('a finished row is never rerun', async () => {
    const before = readFileSync(resultPath(), 'utf8');
    const calls = computeCalls;
    const [run] = await runTables([TOY], opts({ seeds: 2 }));
    expect(run!.ran).toBe(0);
    expect(computeCalls).toBe(calls);
    expect(readFileSync(resultPath(), 'utf8')).toBe(before);
    // one more seed runs only that seed
    const [more] = await runTables([TOY], opts({ seeds: 3 }));
    expect(more!.ran).toBe(1);
    expect(computeCalls).toBe(calls);
  });

  it('a result file from another commit or a corrupt one is refused, untouched', async () => {
    const good = readFileSync(resultPath(), 'utf8');
    const other = JSON.parse(good) as ResultFile;
    other.commit = 'deadbeef';
    writeFileSync(resultPath(), JSON.stringify(other));
    // nothing to add: shown as it is
    const [shown] = await runTables([TOY], opts({ seeds: 3 }));
    expect(shown!.ran).toBe(0);
    // rows to add: refused
    await expect(runTables([TOY], opts({ seeds: 4 }))).rejects.toThrow(/produced at commit deadbeef but the code is now at \w+; .*--fresh/);
    expect(readFileSync(resultPath(), 'utf8')).toBe(JSON.stringify(other));

    for (const bad of ['{"schema": "chanlab-repro/1", "rows"', '{"schema":"other"}', JSON.stringify({ ...other, rows: { exact: { config: {}, computed: { metrics: { count: 'x' }, manifest: {} }, seeds: [] } } })]) {
      writeFileSync(resultPath(), bad);
      await expect(runTables([TOY], opts())).rejects.toThrow(/toy\.json is corrupt .*restore it with git or delete it/);
      expect(readFileSync(resultPath(), 'utf8')).toBe(bad);
    }
    // scratch output (restartStale): a file of other code, or a corrupt one, is started over as a whole
    writeFileSync(resultPath(), JSON.stringify(other));
    const logs: string[] = [];
    const [restarted] = await runTables([TOY], opts({ restartStale: true, select: ['toy/off'], log: (l) => logs.push(l) }));
    expect(restarted!.ran).toBe(1);
    expect(logs.join('\n')).toMatch(/toy\.json holds results of other code: starting it over/);
    const after = JSON.parse(readFileSync(resultPath(), 'utf8')) as ResultFile;
    expect([after.commit, Object.keys(after.rows)]).toEqual([expect.not.stringMatching(/deadbeef/), ['off']]);
    // --fresh starts over
    const [fresh] = await runTables([TOY], opts({ fresh: true, select: ['toy/exact'] }));
    expect(fresh!.ran).toBe(1);
    expect(Object.keys((JSON.parse(readFileSync(resultPath(), 'utf8')) as ResultFile).rows)).toEqual(['off', 'exact']);
  });

  it('a training run of other code is not resumed; --fresh removes the row\'s runs and trains anew', async () => {
    const manifestPath = join(tmp, 'runs', 'quick', 'toy', 'trained', 'seed-0', 'manifest.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    m.git.commit = '0000000000000000000000000000000000000000';
    writeFileSync(manifestPath, JSON.stringify(m));
    const [refused] = await runTables([TOY], opts({ select: ['toy/trained'], seeds: 1 }));
    expect(refused!.ran).toBe(0);
    expect(refused!.failures.join('\n')).toMatch(/seed-0 holds a run of commit 0{40} \(code unknown\), the code is now at \w+; rerun the table with --fresh/);
    const [fresh] = await runTables([TOY], opts({ select: ['toy/trained'], seeds: 1, fresh: true }));
    expect(fresh!.failures).toEqual([]);
    expect(fresh!.ran).toBe(1);
    const again = JSON.parse(readFileSync(manifestPath, 'utf8'));
    expect(again.git.commit).not.toBe(m.git.commit);
    expect(again.resumes).toEqual([]);
    expect(existsSync(join(tmp, 'runs', 'quick', 'toy', 'trained', 'seed-1'))).toBe(false); // seed 1 of the old runs removed
  });
});
