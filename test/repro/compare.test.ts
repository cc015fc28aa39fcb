// A user's run against the committed reference: per-cell agreement within the rerun tolerance, and `chanlab repro`
// (what `npm run quick` runs) writing only its scratch folder, printing paper / reference / yours / agrees and the wall
// time; the reference changes only with --update-reference.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run as reproCli } from '../../src/cli/commands/repro.js';
import { makeManifest } from '../../src/train/manifest.js';
import { compareResults } from '../../repro/compare.js';
import type { TableDefinition } from '../../repro/definition.js';
import { emptyResult, type ResultFile } from '../../repro/results.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-compare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const T: TableDefinition = {
  id: 'cmp', title: 'Compare', source: { paper: 'PiX', table: 'none', doc: 'docs/methods/pix.md §8' }, tiers: ['quick'],
  metrics: [
    { key: 'count', label: 'count', unit: 'M', decimals: 3 },
    { key: 'top1', label: 'top-1', unit: '%', decimals: 2, agreement: { abs: 1 } },
    { key: 'ms', label: 'latency', unit: 'ms', decimals: 1, agreement: 'machine' },
    { key: 'flops', label: 'FLOPs', unit: 'B', decimals: 3, tolerance: { printed: { rule: 'round', decimals: 2 } } },
  ],
  rows: ['a', 'b', 'c'].map((id) => ({ id, label: id, config: {}, paper: { flops: { value: 3.18, printed: '3.18' } }, async compute() {
    return {};
  } })),
};
const m = makeManifest({}, 0, 'cpu');
const file = (rows: Record<string, Record<string, number>>): ResultFile => {
  const f = emptyResult('cmp', 'quick', null);
  for (const [id, metrics] of Object.entries(rows)) f.rows[id] = { config: {}, computed: { metrics, manifest: m }, seeds: [] };
  return f;
};

describe('compareResults', () => {
  it('exact counts at the displayed precision, trained values within their tolerance, timings not compared', () => {
    const ref = file({ a: { count: 1.2345, top1: 80, ms: 3, flops: 3.188 }, b: { count: 2, top1: 80, ms: 3, flops: 3.188 } });
    const yours = file({ a: { count: 1.2349, top1: 80.9, ms: 9, flops: 3.1851 }, b: { count: 2.001, top1: 81.2, ms: 3, flops: 3.1749 }, c: { count: 5, top1: 1, ms: 1, flops: 1 } });
    const got = compareResults(T, 'quick', yours, ref).map((c) => `${c.row}.${c.metric}: ${c.agreement}`);
    expect(got).toEqual([
      'a.count: agrees', 'a.top1: agrees', 'a.ms: machine-dependent', 'a.flops: agrees', // 3.1851 and 3.188 both print 3.19
      'b.count: differs', 'b.top1: differs', 'b.ms: machine-dependent', 'b.flops: differs', // 3.17 vs 3.19
      'c.count: no reference', 'c.top1: no reference', 'c.ms: machine-dependent', 'c.flops: no reference',
    ]);
    expect(compareResults(T, 'quick', null, ref)[0]!.agreement).toBe('not run');
    expect(compareResults(T, 'quick', yours, ref)[3]!.paper).toBe('3.18');
  });
});

describe('chanlab repro against the committed reference', () => {
  const reference = join('repro', 'results', 'quick', 'pix-squeeze.json');

  it('runs into its own folder, prints paper / reference / yours / agrees and the wall time; the reference is untouched', async () => {
    const before = { text: readFileSync(reference, 'utf8'), mtime: statSync(reference).mtimeMs };
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((l: string) => void lines.push(String(l)));
    try {
      expect(await reproCli(['pix-squeeze', '--tier', 'quick', '--out', join(tmp, 'mine'), '--work', join(tmp, 'work'), '--quiet'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const out = lines.join('\n');
    expect(out).toContain('| row | metric | paper | reference | yours | agrees |');
    expect(out).toContain('| baseline total `baseline` | FLOPs | 1275 | 1,275 | 1,275 | yes |');
    expect(out).toMatch(/Cells: 11 agrees\./);
    expect(out).toMatch(/\nwall time: [\d.]+ s$/);
    expect(readFileSync(join(tmp, 'mine', 'quick', 'pix-squeeze.json'), 'utf8')).toContain('"schema": "chanlab-repro/1"');
    expect(readFileSync(reference, 'utf8')).toBe(before.text);
    expect(statSync(reference).mtimeMs).toBe(before.mtime);
  });

  it('--update-reference writes the reference directory (and excludes --out)', async () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await reproCli(['pix-squeeze', '--tier', 'quick', '--update-reference', '--reference', join(tmp, 'ref'), '--work', join(tmp, 'work'), '--quiet'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(readFileSync(join(tmp, 'ref', 'quick', 'pix-squeeze.md'), 'utf8')).toContain('| 95 % CI |');
    await expect(reproCli(['pix-squeeze', '--update-reference', '--out', join(tmp, 'x')])).rejects.toThrow(/--update-reference writes the reference directory itself; it excludes --out/);
  });
});
