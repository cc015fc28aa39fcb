// Cell status: tolerance rules, directions, "not run" and "no target".
import { describe, expect, it } from 'vitest';
import { aggregate, cellStatus, meanInterval, printedValue, verdict } from '../../repro/status.js';
import { pythonOracle } from '../helpers/torch.js';

const one = (v: number) => aggregate([v]);
const paper = (value: number, printed = String(value)) => ({ value, printed });

describe('status logic', () => {
  it('a missing reproduced value is "not run", whatever the paper says', () => {
    expect(cellStatus(null, paper(1), { abs: 1 })).toEqual({ status: 'not run', delta: null });
    expect(cellStatus(null, undefined, undefined)).toEqual({ status: 'not run', delta: null });
  });

  it('no paper value: "no target", no Δ', () => {
    expect(cellStatus(one(3), undefined, undefined)).toEqual({ status: 'no target', delta: null });
  });

  it('printed precision: truncation and rounding as the paper prints', () => {
    // 12,879,904 FLOPs printed 12.8 (truncated), 6.686720 printed 6.6
    expect(cellStatus(one(12.879904), paper(12.8), { printed: { rule: 'trunc', decimals: 1 } }).status).toBe('within');
    expect(cellStatus(one(12.879904), paper(12.9), { printed: { rule: 'trunc', decimals: 1 } })).toEqual({ status: 'below', delta: -0.1 });
    expect(cellStatus(one(12.879904), paper(12.9), { printed: { rule: 'round', decimals: 1 } }).status).toBe('within');
    // 3.188 B rounds to 3.19: one step above the printed 3.18
    expect(cellStatus(one(3.188465128), paper(3.18), { printed: { rule: 'round', decimals: 2 } })).toEqual({ status: 'above', delta: 0.01 });
    expect(printedValue(0.837664, 'trunc', 3)).toBe(0.837);
    expect(printedValue(25.694336, 'round', 6)).toBe(25.694336);
  });

  it('absolute and relative bounds, above / below', () => {
    expect(cellStatus(one(76.5), paper(76.77), { abs: 0.3 }).status).toBe('within');
    const below = cellStatus(one(76.4), paper(76.77), { abs: 0.3 });
    expect(below.status).toBe('below');
    expect(below.delta).toBeCloseTo(-0.37, 12);
    expect(cellStatus(one(77.1), paper(76.77), { abs: 0.3 }).status).toBe('above');
    expect(cellStatus(one(104), paper(100), { rel: 0.05 }).status).toBe('within');
    expect(cellStatus(one(106), paper(100), { rel: 0.05 }).status).toBe('above');
  });

  it('seed spread widens the bound: |Δ| ≤ k·std', () => {
    const a = aggregate([90, 91, 92])!; // mean 91, std 1
    expect(a.std).toBeCloseTo(1, 12);
    expect(cellStatus(a, paper(92.5), { abs: 0.1, spread: 2 }).status).toBe('within');
    expect(cellStatus(a, paper(93.5), { abs: 0.1, spread: 2 }).status).toBe('below');
  });

  it('bad tolerances and paper values without one are errors', () => {
    expect(() => cellStatus(one(1), paper(1), undefined)).toThrow(/needs a tolerance/);
    expect(() => cellStatus(one(1), paper(1), {})).toThrow(/at least one of printed, abs, rel, spread/);
    expect(() => cellStatus(one(1), paper(1), { abs: -1 })).toThrow(/tolerance.abs must be a number ≥ 0/);
    expect(() => aggregate([1, Number.NaN])).toThrow(/finite/);
  });

  it('mean ± std; the 95 % interval of a mean by hand: [1, 2, 3, 4, 5] → 3 ± t(0.975, 4)·√2.5/√5', () => {
    expect(aggregate([])).toBeNull();
    expect(aggregate([2])).toEqual({ mean: 2, std: 0, n: 1 });
    // s² = (4 + 1 + 0 + 1 + 4) / 4 = 2.5, s/√n = √0.5; t(0.975, 4) = 2.776445105 (tables: 2.776) → half-width 1.963243
    const ci = meanInterval([1, 2, 3, 4, 5])!;
    expect(ci[0]).toBeCloseTo(3 - 2.776445105197799 * Math.SQRT1_2, 12);
    expect(ci[1]).toBeCloseTo(1.963243 + 3, 5);
    // [−1, 0.5, 2]: mean 0.5, s = 1.5, t(0.975, 2) = 4.302653 → [−3.226, 4.226]
    const wide = meanInterval([-1, 0.5, 2])!;
    expect(wide[0]).toBeCloseTo(0.5 - 4.302652729749464 * 1.5 / Math.sqrt(3), 12);
    expect(meanInterval([4])).toBeNull();
    expect(meanInterval([7, 7, 7])).toEqual([7, 7]);
    expect(() => meanInterval([1, 2], 1)).toThrow(/level must be in \(0, 1\)/);
  });

  it('the interval equals scipy.stats.t.interval(0.95, n − 1, mean, sem)', () => {
    const samples = [[0.36, -1.1, 0.9], [0.2, 0.5, 0.9, 0.4, 0.5], [1.5, -0.25, 0.75, 2, 0.1, -0.6, 0.3], Array.from({ length: 31 }, (_, i) => Math.sin(i) + 0.1)];
    const ref = pythonOracle<number[][]>('out = [list(map(float, stats.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=stats.sem(x)))) for x in inp]',
      samples, 'import numpy as np\nfrom scipy import stats\n');
    samples.forEach((x, i) => {
      const ci = meanInterval(x)!;
      expect(ci[0]).toBeCloseTo(ref[i]![0]!, 8);
      expect(ci[1]).toBeCloseTo(ref[i]![1]!, 8);
    });
  });

  it('verdict: confirmed / contradicted against the paper\'s sign, higher / lower without one, not resolved when 0 is inside', () => {
    const ci = meanInterval([1, 2, 3, 4, 5]);
    expect(verdict(ci, 0.47)).toBe('confirmed');
    expect(verdict(ci, -0.38)).toBe('contradicted');
    expect(verdict(ci, null)).toBe('higher');
    expect(verdict([-2, -0.1], null)).toBe('lower');
    expect(verdict([-2, -0.1], -1)).toBe('confirmed');
    expect(verdict(meanInterval([-1, 0.5, 2]), 1)).toBe('not resolved');
    expect(verdict([0, 1], 1)).toBe('not resolved');
    expect(verdict(null, 1)).toBe('not resolved');
    expect(verdict([1, 2], 0)).toBe('higher');
    expect(() => verdict([1, 2], Number.NaN)).toThrow(/paperSign must be a finite number or null/);
  });
});
