// The committed notebooks carry their outputs (figures as PNG, tables, printed results) so that they show their
// results on a code host without running. Those outputs must come from the notebook as it is now: every notebook
// was executed by `npm run notebooks` (which stamps metadata.chanlab.source_sha256 over its cells and the files it
// declares it reads), none has changed since, every code cell ran and none failed, and the figures are in it.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

interface Cell { cell_type: string; outputs?: Array<{ output_type: string; data?: Record<string, unknown> }> }

function notebooks(dir = 'notebooks'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'executed' ? [] : notebooks(p);
    return e.name.endsWith('.ipynb') ? [p] : [];
  });
}

it('every committed notebook was executed from its current cells and inputs, without errors', () => {
  const r = spawnSync(process.execPath, ['scripts/notebook-hash.mjs', '--check'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

it('committed notebooks show their figures as PNG and carry no inlined plotly.js', () => {
  for (const file of notebooks()) {
    const text = readFileSync(file, 'utf8');
    expect(text.length, `${file}: ${(text.length / 1e6).toFixed(1)} MB (figures must be PNG, not inline Plotly HTML)`).toBeLessThan(3e6);
    const cells = (JSON.parse(text) as { cells: Cell[] }).cells;
    const outputs = cells.flatMap((c) => c.outputs ?? []);
    const pngs = outputs.filter((o) => o.data !== undefined && 'image/png' in o.data).length;
    // a table with no committed result at its tier has nothing to plot, and says so in place of the chart
    const saysNoChart = outputs.some((o) => /_No chart: no row has run at this tier/.test(String(o.data?.['text/markdown'] ?? '')));
    expect(pngs > 0 || saysNoChart, `${file}: no figure in its outputs (and no "No chart" note)`).toBe(true);
  }
});

it('the freshness check fails on an edited cell, naming the notebook', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const file = notebooks()[0]!;
  const nb = JSON.parse(readFileSync(file, 'utf8')) as { cells: Array<{ source: string | string[] }> };
  nb.cells[0]!.source = `${String(nb.cells[0]!.source)}\nedited`;
  const copy = path.join(mkdtempSync(path.join(tmpdir(), 'chanlab-nb-')), 'edited.ipynb');
  writeFileSync(copy, JSON.stringify(nb));
  const r = spawnSync(process.execPath, ['scripts/notebook-hash.mjs', '--check', copy], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/edited\.ipynb: its cells or the files it reads changed since its outputs were made/);
});
