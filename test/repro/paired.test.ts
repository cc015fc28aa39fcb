// Paired Δ cells: per-seed differences against the reference row (matched by seed, not by position), their mean, the
// 95 % t-interval and the verdict, in the cells, the Markdown and the reading.
import { describe, expect, it } from 'vitest';
import type { TableDefinition } from '../../repro/definition.js';
import { tableFigures } from '../../repro/figures.js';
import { againstRow } from '../../repro/paired.js';
import { buildCells, tableMarkdown } from '../../repro/render.js';
import type { ResultFile, RowRecord } from '../../repro/results.js';
import type { Manifest } from '../../src/train/manifest.js';

const T: TableDefinition = {
  id: 'pairs', title: 'Pairs', source: { paper: 'PiX', table: 'none', doc: 'docs/methods/pix.md §8.4' }, tiers: ['small'],
  metrics: [
    { key: 'top1', label: 'top-1', unit: '%', decimals: 2 },
    { key: 'delta_top1', label: 'Δ top-1', unit: 'pp', decimals: 2, tolerance: { abs: 0.5 } },
  ],
  rows: ['ref', 'a', 'b', 'c'].map((id) => ({
    id, label: `row ${id}`, config: {}, train: { tiers: ['small'] as const, config: () => { throw new Error('not trained here'); } },
    ...(id === 'a' ? { paper: { delta_top1: { value: 0.47, printed: '+0.47' } } } : {}),
    ...(id === 'b' ? { claims: { delta_top1: { sign: 1 as const, text: 'b beats ref' } } } : {}),
  })),
  paired: [againstRow('delta_top1', 'top1', (r) => (r === 'ref' ? null : 'ref'))],
};

const MANIFEST = { backend: { name: 'cpu', detail: 'test' }, hardware: { cpuModel: 'test', cores: 1 }, wallSeconds: 1 } as Manifest;
const rec = (values: Record<number, number>): RowRecord => ({
  config: {}, computed: null,
  seeds: Object.entries(values).map(([seed, top1]) => ({ seed: Number(seed), metrics: { top1 }, manifest: MANIFEST })),
});
const ref = { 0: 80, 1: 82, 2: 81, 3: 83, 4: 79 };
const file: ResultFile = {
  schema: 'chanlab-repro/1', table: 'pairs', tier: 'small', commit: null, updated: '', rows: {
    ref: rec(ref),
    // +1 ± 0.2 at the same seeds; seed 2 missing, seed 7 has no partner
    a: rec({ 0: 81, 1: 83.2, 3: 83.8, 4: 80.1, 7: 60 }),
    b: rec({ 0: 79.5, 1: 81.4, 2: 80.6, 3: 82.5, 4: 78.4 }),
    c: rec({ 0: 81, 1: 81, 2: 82, 3: 82, 4: 80 }),
  },
};

describe('paired Δ cells', () => {
  const cells = buildCells(T, 'small', file).filter((c) => c.metric === 'delta_top1');

  it('pairs by seed: differences, mean, interval; no Δ cell for the reference', () => {
    expect(cells.map((c) => c.row)).toEqual(['a', 'b', 'c']);
    const a = cells[0]!;
    expect(a.paired).toEqual({ reference: 'ref', seeds: [0, 1, 3, 4], differences: [1, 1.2, 0.8, 1.1].map((d, i) => expect.closeTo(d, 10) as unknown as number) });
    expect(a.reproduced!.mean).toBeCloseTo(1.025, 12);
    expect(a.reproduced!.n).toBe(4);
    // s = std([1, 1.2, 0.8, 1.1]) = 0.1708; t(0.975, 3) = 3.182446 → ± 0.27176
    expect(a.ci95![0]).toBeCloseTo(1.025 - 3.182446305284263 * 0.17078251276599332 / 2, 9);
    // unpaired, the rows' spread (std ≈ 1.6) would hold 0; paired, the interval excludes it on the paper's side
    expect(a.verdict).toBe('confirmed');
    expect(a.status).toBe('above'); // |1.025 − 0.47| > 0.5
  });

  it('a claimed direction without a number; no direction; an interval holding 0', () => {
    expect(cells[1]!.verdict).toBe('contradicted');
    expect(cells[1]!.note).toBe('claim: b beats ref');
    expect(cells[2]!.verdict).toBe('not resolved');
    expect(cells[2]!.status).toBe('no target');
  });

  it('Markdown and reading show the interval and the verdict', () => {
    const md = tableMarkdown(T, 'small', file);
    expect(md).toContain('| row a `a` | Δ top-1 (pp) vs ref | +0.47 | 1.02 ± 0.17 (n=4) | [0.75, 1.30] | +0.55 | above | confirmed |');
    expect(md).toMatch(/Paired Δ cells .*: 1 confirmed, 1 contradicted, 1 not resolved/);
    expect(md).toContain("row b (`b`): Δ top-1 -0.52 pp against ref, 95 % CI [-0.62, -0.42] over 5 paired seed(s) — **contradicted**; the paper's claim: b beats ref.");
    // plain seeded cells carry the interval of their mean
    const top1 = buildCells(T, 'small', file).find((c) => c.row === 'ref' && c.metric === 'top1')!;
    expect(top1.ci95![1]).toBeGreaterThan(81);
  });

  it('figures: Δ bars carry the verdict and the interval; a series is drawn as a curve with error bars', () => {
    const withSeries: TableDefinition = { ...T, rows: T.rows.map((r) => ({ ...r, series: r.id === 'ref' ? 'reference' : 'method' })), scatter: [{ x: 'top1', y: 'delta_top1' }] };
    const [scatter, panels] = tableFigures(withSeries, 'small', file);
    const delta = panels!.figure.data.find((t) => t.xaxis === 'x2' && t.name === 'reproduced')!;
    expect(delta.text).toEqual(['1.02 confirmed', '-0.52 contradicted', '0.20 not resolved']);
    expect((delta.error_y as { array: number[] }).array[0]).toBeCloseTo((cells[0]!.ci95![1] - cells[0]!.ci95![0]) / 2, 12);
    const curve = scatter!.figure.data.find((t) => t.name === 'method')!;
    expect(curve.mode).toBe('lines+markers+text');
    const xs = curve.x as number[];
    expect([...xs].sort((p, q) => p - q)).toEqual(xs); // joined in order of x
    expect((curve.error_y as { array: number[] }).array).toHaveLength(3);
  });
});
