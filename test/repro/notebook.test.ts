// The table notebooks: every table of the suite has its generated notebook, and `showTable` runs a table into a
// scratch directory (reusing rows of the same code commit), loads committed results, falls back to a tier the table
// has, shows "not run" without failing, and fails with a failing row's own message.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { decodePng } from '../../src/data/png.js';
import { closeFigureRenderer } from '../../src/viz/notebook.js';
import type { TableDefinition } from '../../repro/definition.js';
import { TABLES } from '../../repro/definitions/index.js';
import { reproResultFigures, tableFigures } from '../../repro/figures.js';
import { showTable, tableView, type TableViewOptions } from '../../repro/notebook.js';
import { notebookSource, TABLE_NOTEBOOKS_DIR, tableNotebook, tableNotebookPath } from '../../repro/notebook_template.js';
import { emptyResult, type ResultFile } from '../../repro/results.js';
import { makeManifest } from '../../src/train/manifest.js';
import { countRow, toyTable } from '../helpers/toy_table.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-nbt-'));
afterAll(async () => {
  await closeFigureRenderer();
  rmSync(tmp, { recursive: true, force: true });
});

describe('table notebooks', () => {
  it('every table in TABLES has notebooks/tables/<id>.ipynb, equal to the template (npm run notebooks:tables)', () => {
    for (const t of TABLES) {
      const path = tableNotebookPath(t.id);
      expect(existsSync(path), `${path} is missing: run \`npm run notebooks:tables\``).toBe(true);
      expect(notebookSource(readFileSync(path, 'utf8')), `${path} differs from the template: run \`npm run notebooks:tables\``)
        .toBe(notebookSource(tableNotebook(t)));
    }
    const orphans = readdirSync(TABLE_NOTEBOOKS_DIR).filter((f) => !TABLES.some((t) => `${t.id}.ipynb` === f));
    expect(orphans, 'notebooks of tables that no longer exist').toEqual([]);
  });

  it('a notebook is a few thin cells calling showTable for its table', () => {
    const nb = JSON.parse(tableNotebook(TABLES[0]!)) as { nbformat_minor: number; metadata: { kernelspec: { name: string } }; cells: Array<{ cell_type: string; id: string; source: string }> };
    expect(nb.nbformat_minor).toBe(5);
    expect(nb.metadata.kernelspec.name).toBe('tslab');
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    expect(code).toHaveLength(3);
    expect(code[1]!.source).toBe(`const view = await showTable('${TABLES[0]!.id}', tslab.display);`);
    expect(new Set(nb.cells.map((c) => c.id)).size).toBe(nb.cells.length);
  });
});

let computeCalls = 0;
let failNow = false;
const TOY: TableDefinition = {
  ...toyTable('M', [
    countRow('exact', 'exact', {}, 42, 42, () => {
      computeCalls++;
      if (failNow) throw new Error('toy row exploded: expected 42');
    }),
    { id: 'later', label: 'later', config: {}, metrics: ['count'], pending: 'method not landed', paper: { count: { value: 7, printed: '7' } } },
  ]),
  scatter: [{ x: 'count', y: 'top1' }],
};
const SMALL_ONLY: TableDefinition = { ...TOY, id: 'small-only', tiers: ['small', 'full'], rows: [TOY.rows[1]!, { ...TOY.rows[0]!, id: 'exact' }] };

function options(o: Partial<TableViewOptions> = {}): TableViewOptions {
  return { tables: [TOY, SMALL_ONLY], backend: 'cpu', tier: 'quick', scratchDir: join(tmp, 'scratch'), resultsDir: join(tmp, 'results'), log: () => {}, ...o };
}

describe('showTable', () => {
  it('runs the quick tier into the scratch directory, then reuses it; other code starts over', async () => {
    computeCalls = 0;
    const shown: { md: string[]; html: string[]; png: Uint8Array[] } = { md: [], html: [], png: [] };
    const display = { markdown: (s: string) => shown.md.push(s), html: (s: string) => shown.html.push(s), png: (b: Uint8Array) => shown.png.push(b) };
    const v = await showTable('toy', display, options());
    expect(computeCalls).toBe(1);
    expect(v.source).toBe('run');
    expect(v.path).toBe(join(tmp, 'scratch', 'quick', 'toy.json'));
    expect(existsSync(join(tmp, 'results'))).toBe(false); // never the committed results
    expect(shown.md[0]).toMatch(/^> Numbers: run by this notebook at the quick tier \(cpu\)/);
    expect(shown.md[0]).toContain('| exact `exact` | count (M) | 42 | 42 | — | 0 | within | — |');
    expect(shown.md[0]).toContain('| later `later` | count (M) | 7 | not run | — | — | not run | — | method not landed |');
    // one figure: the metric panel (no row has both count and top1, so no scatter)
    expect(v.figures.map((f) => f.name)).toEqual(['toy-metrics']);
    expect(shown.html).toHaveLength(1);
    const png = decodePng(shown.png[0]!);
    expect([png.width, png.height]).toEqual([800, 80 + 380]);
    expect(png.data.some((x) => x < 128)).toBe(true);
    await tableView('toy', options());
    expect(computeCalls).toBe(1); // same commit: reused
    const file = JSON.parse(readFileSync(v.path!, 'utf8')) as ResultFile;
    writeFileSync(v.path!, JSON.stringify({ ...file, commit: 'deadbeef' }));
    await tableView('toy', options());
    expect(computeCalls).toBe(2); // another commit's scratch result is started over
  });

  it('loads the committed result at small; "not run" without a result file; a missing tier falls back', async () => {
    const none = await tableView('toy', options({ tier: 'small' }));
    expect(none.source).toBe('committed');
    expect(none.path).toBeNull();
    expect(none.markdown).toContain('Nothing has run at the small tier yet: every cell is "not run"');
    expect(none.markdown).toContain('| exact `exact` | count (M) | 42 | not run | — | — | not run |');
    // the paper's targets are still drawn, the rows labelled "(not run)"
    const panel = none.figures[0]!.figure.data;
    expect(panel.map((t) => [t.name, t.x, t.y])).toEqual([['paper', ['exact (not run)', 'later (not run)'], [42, 7]]]);
    const committed: ResultFile = emptyResult('small-only', 'small', null);
    committed.rows.exact = { config: {}, computed: { metrics: { count: 41 }, manifest: makeManifest({}, 0, 'cpu') }, seeds: [] };
    mkdirSync(join(tmp, 'results', 'small'), { recursive: true });
    writeFileSync(join(tmp, 'results', 'small', 'small-only.json'), JSON.stringify(committed));
    const fallback = await tableView('small-only', options({ tier: 'quick', source: 'run' }));
    expect(fallback.tier).toBe('small');
    expect(fallback.source).toBe('committed');
    expect(fallback.markdown).toContain('`small-only` has no quick tier (its tiers: small, full): showing its small tier, committed results only.');
    expect(fallback.markdown).toContain('| exact `exact` | count (M) | 42 | 41 | — | -1 | below |');
  });

  it('a failing row: the table is shown, then the cell fails with the row’s message', async () => {
    failNow = true;
    rmSync(join(tmp, 'scratch'), { recursive: true, force: true });
    const md: string[] = [];
    try {
      await expect(showTable('toy', { markdown: (s) => md.push(s), html: () => {}, png: () => {} }, options()))
        .rejects.toThrow(/toy \(quick\): 1 row\(s\) failed: exact: toy row exploded: expected 42/);
    } finally {
      failNow = false;
    }
    expect(md[0]).toContain('**Failed rows**: exact: toy row exploded: expected 42');
  });

  it('bad input names the parameter', async () => {
    await expect(tableView('nope', options())).rejects.toThrow(/table: unknown table 'nope' \(known tables: toy, small-only\)/);
    await expect(tableView('toy', options({ tier: 'huge' }))).rejects.toThrow(/tier \(CHANLAB_TIER\) must be one of quick, small, full, got 'huge'/);
    await expect(tableView('toy', options({ source: 'cache' }))).rejects.toThrow(/source \(CHANLAB_TABLE_SOURCE\) must be one of run, committed, got 'cache'/);
  });
});

describe('tableFigures', () => {
  it('paper vs reproduced mean ± 95 % CI per metric, and the scatter pairs with their intervals', () => {
    const file: ResultFile = emptyResult('toy', 'quick', null);
    const m = makeManifest({}, 0, 'cpu');
    file.rows.exact = { config: {}, computed: { metrics: { count: 40 }, manifest: m }, seeds: [70, 72, 74].map((top1, seed) => ({ seed, metrics: { top1 }, manifest: m })) };
    const table: TableDefinition = { ...TOY, rows: [{ ...TOY.rows[0]!, metrics: ['count', 'top1'] }] };
    const figs = tableFigures(table, 'quick', file);
    expect(figs.map((f) => f.name)).toEqual(['toy-top1-vs-count', 'toy-metrics']);
    expect(figs[0]!.figure.data[0]!.x).toEqual([40]);
    expect(figs[0]!.figure.data[0]!.y).toEqual([72]);
    const bars = figs[1]!.figure.data;
    expect(bars.map((t) => [t.name, t.xaxis, t.y])).toEqual([['paper', 'x', [42]], ['reproduced', 'x', [40]], ['reproduced', 'x2', [72]]]);
    // seeds 70, 72, 74: s = 2, half-width t(0.975, 2) · 2 / √3
    expect((bars[2]!.error_y as { array: number[] }).array[0]).toBeCloseTo(4.302652729749464 * 2 / Math.sqrt(3), 10);
    expect((figs[0]!.figure.data[0]!.error_y as { array: number[] }).array[0]).toBeCloseTo(4.302652729749464 * 2 / Math.sqrt(3), 10);
    expect(bars[0]!.showlegend).toBe(true);
    expect(bars[2]!.showlegend).toBe(false); // one legend entry per series
    expect(() => tableFigures({ ...table, scatter: [{ x: 'flops', y: 'top1' }] }, 'quick', file)).toThrow(/toy.scatter: unknown metric 'flops' \(metrics: count, top1\)/);
  });
});

describe('chanlab plot on a result file of the suite', () => {
  it('draws the table notebook\'s figures; a bad tier or table is an error naming it', async () => {
    const file: ResultFile = emptyResult('pix-squeeze', 'quick', null);
    file.rows.pix = { config: {}, computed: { metrics: { flops: 573 }, manifest: makeManifest({}, 0, 'cpu') }, seeds: [] };
    const path = join(tmp, 'pix-squeeze.json');
    writeFileSync(path, JSON.stringify(file));
    expect(await main(['plot', path])).toBe(0);
    const png = decodePng(readFileSync(join(tmp, 'pix-squeeze.pix-squeeze-metrics.png')));
    expect([png.width, png.height]).toEqual([800, 460]);
    expect(reproResultFigures({ a: 1 }, 'x.json')).toBeNull();
    expect(() => reproResultFigures({ ...file, tier: 'huge' }, 'x.json')).toThrow(/x.json: tier must be one of quick, small, full, got "huge"/);
    expect(() => reproResultFigures({ ...file, table: 'nope' }, 'x.json')).toThrow(/unknown table 'nope'/);
  });
});
