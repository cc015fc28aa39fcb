// The frontier table: its rows (dense widths, PiX ζ, DGC gate factor, CHEX sparsity, each a series), the Δ against the
// dense curve interpolated in log MACs per seed, and the reading computed from a result (envelope, claims).
import { describe, expect, it } from 'vitest';
import { TABLES } from '../../repro/definitions/index.js';
import { curveDifferences } from '../../repro/definitions/frontier-reading.js';
import { tableFigures } from '../../repro/figures.js';
import { resultValues } from '../../repro/paired.js';
import { buildCells, tableMarkdown } from '../../repro/render.js';
import { emptyResult, type RowRecord } from '../../repro/results.js';
import { makeManifest } from '../../src/train/manifest.js';

const frontier = TABLES.find((t) => t.id === 'frontier')!;
const m = makeManifest({}, 0, 'cpu');
const fixed = (flops: number, top1: number[]): RowRecord => ({
  config: {}, computed: { metrics: { flops, params: 1, latency_ms: flops }, manifest: m }, seeds: top1.map((t, seed) => ({ seed, metrics: { top1: t }, manifest: m })),
});
const file = emptyResult('frontier', 'small', null);
Object.assign(file.rows, {
  'dense-w6': fixed(0.3, [80, 81, 79]), 'dense-w8': fixed(0.55, [83, 84, 82]), 'dense-w12': fixed(1.2, [86, 86.5, 85.5]),
  'dense-w16': fixed(2.07, [88, 88.4, 87.6]), 'dense-w24': fixed(4.5, [89, 89, 89]), 'pix-z4': fixed(1.68, [88.5, 88.9, 88.1]),
  'chex-s50': { config: {}, computed: null, seeds: [[1.0, 85], [1.1, 85.5], [0.9, 84.5]].map(([flops, top1], seed) => ({ seed, metrics: { top1: top1!, flops: flops!, latency_ms: 0.5 }, manifest: m })) },
  'chex-s70': { config: {}, computed: null, seeds: [0, 1, 2].map((seed) => ({ seed, metrics: { top1: 70, flops: 0.2, latency_ms: 0.4 }, manifest: m })) },
});

describe('frontier', () => {
  it('has ≥ 3 dense widths and ≥ 3 operating points per method, each row in its series, ≥ 3 seeds', () => {
    const by = (s: string) => frontier.rows.filter((r) => r.series === s).map((r) => r.id);
    expect(by('dense')).toEqual(['dense-w6', 'dense-w8', 'dense-w12', 'dense-w16', 'dense-w24']);
    expect(by('PiX')).toEqual(['pix-z4', 'pix-z8', 'pix-z16']);
    expect(by('DGC')).toEqual(['dgc-g25', 'dgc-g45', 'dgc-g70']);
    expect(by('CHEX')).toEqual(['chex-s30', 'chex-s50', 'chex-s70']);
    expect(frontier.defaultSeeds!.small).toBeGreaterThanOrEqual(3);
    expect(frontier.rows.find((r) => r.id === 'dgc-g25')!.train!.config('small', 2)).toMatchObject({ modelConfig: { gateFactor: 0.25 }, auxLossWeight: 1e-5, seed: 2 });
    expect(frontier.rows.find((r) => r.id === 'chex-s70')!.train!.config('small', 0).chex).toMatchObject({ channelSparsity: 0.7 });
  });

  it('Δ against the dense curve: per seed, linear in log MACs between the two widths around the row; none outside', () => {
    const values = resultValues(file);
    const w = Math.log(1.68 / 1.2) / Math.log(2.07 / 1.2);
    const pix = curveDifferences('pix-z4', values, ['dense-w6', 'dense-w8', 'dense-w12', 'dense-w16', 'dense-w24']);
    expect([...pix.keys()]).toEqual([0, 1, 2]);
    expect(pix.get(1)!).toBeCloseTo(88.9 - ((1 - w) * 86.5 + w * 88.4), 12);
    // CHEX: its own MACs per seed (seed 2 at 0.9 M lies between dense-w8 and dense-w12)
    const w2 = Math.log(0.9 / 0.55) / Math.log(1.2 / 0.55);
    expect(curveDifferences('chex-s50', values, ['dense-w8', 'dense-w12']).get(2)!).toBeCloseTo(84.5 - ((1 - w2) * 82 + w2 * 85.5), 12);
    expect(curveDifferences('chex-s70', values, ['dense-w6', 'dense-w8']).size).toBe(0);
    const cells = buildCells(frontier, 'small', file).filter((c) => c.metric === 'delta_curve');
    expect(cells.find((c) => c.row === 'pix-z4')!.verdict).toBe('confirmed');
    expect(cells.find((c) => c.row === 'chex-s70')!.status).toBe('not run');
    expect(cells.some((c) => c.row.startsWith('dense-'))).toBe(false);
  });

  it('reads the result: the dense curve, the envelope by MACs and latency, and each method against its claim', () => {
    const md = tableMarkdown(frontier, 'small', file);
    expect(md).toContain('Dense curve: dense 6/12/24 0.30 M MACs → 80.00 %;');
    expect(md).toContain('cheapest first: CHEX sparsity 0.7 (0.20 M MACs, 70.00 %) → dense 6/12/24 (0.30 M MACs, 80.00 %) → dense 8/16/32 (0.55 M MACs, 83.00 %) → CHEX sparsity 0.5 (1.00 M MACs, 85.00 %) → ' +
      'dense 12/24/48 (1.20 M MACs, 86.00 %) → PiX ζ=4 (1.68 M MACs, 88.50 %) → dense 24/48/96 (4.50 M MACs, 89.00 %). On the envelope: CHEX, dense, PiX.');
    expect(md).toContain('CHEX sparsity 0.7 at 0.20 M MACs: outside the dense curve\'s range');
    expect(md).toMatch(/PiX against the dense curve at equal MACs .*PiX ζ=4 at 1\.68 M MACs: \+[\d.]+ pp \[\+[\d.]+, \+[\d.]+\] → confirmed\. The paper's claim \(above the dense curve at equal MACs\) is 1 confirmed over its 1 operating point\(s\)\./);
    expect(md).toMatch(/CHEX against the dense curve .*CHEX sparsity 0\.5 at 1\.00 M MACs: [+-][\d.]+ pp \[[+-][\d.]+, [+-][\d.]+\] → (confirmed|contradicted|not resolved)/);
  });

  it('a row counted but not yet trained (the runner saves between units) is read without error', () => {
    const partial = emptyResult('frontier', 'small', null);
    partial.rows['dense-w6'] = fixed(0.3, []);
    partial.rows['pix-z4'] = fixed(1.68, []);
    expect(() => tableMarkdown(frontier, 'small', partial)).not.toThrow();
  });

  it('figures: top-1 against MACs and against latency, one curve per method with 95 % CI bars', () => {
    const figs = tableFigures(frontier, 'small', file);
    expect(figs.map((f) => f.name)).toEqual(['frontier-top1-vs-flops', 'frontier-top1-vs-latency_ms', 'frontier-metrics']);
    const curves = figs[0]!.figure.data;
    expect(curves.map((t) => t.name)).toEqual(['dense', 'PiX', 'CHEX']);
    expect(curves[0]!.mode).toBe('lines+markers+text');
    expect(curves[0]!.x).toEqual([0.3, 0.55, 1.2, 2.07, 4.5]);
    expect((curves[0]!.error_y as { array: number[] }).array[0]).toBeCloseTo(4.302652729749464 / Math.sqrt(3), 10); // [80, 81, 79]: s = 1
    expect((curves[2]!.error_x as { array: number[] }).array).toHaveLength(2); // CHEX: its MACs differ per seed
  });
});
