// Cell status: tolerance rules, directions, "not run" and "no target".
import { describe, expect, it } from 'vitest';
import { aggregate, cellStatus, difference, exceedsSpread, printedValue } from '../../repro/status.js';

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

  it('mean ± std, differences and the spread test', () => {
    expect(aggregate([])).toBeNull();
    expect(aggregate([2])).toEqual({ mean: 2, std: 0, n: 1 });
    const a = aggregate([1, 2, 3])!;
    const b = aggregate([1.1, 2.1, 3.1])!;
    const d = difference(b, a);
    expect(d.mean).toBeCloseTo(0.1, 12);
    expect(d.std).toBeCloseTo(Math.SQRT2, 12);
    expect(exceedsSpread(a, b)).toBe(false);
    expect(exceedsSpread(aggregate([1, 1.1, 0.9])!, aggregate([3, 3.1, 2.9])!)).toBe(true);
    expect(exceedsSpread(aggregate([1])!, b)).toBeNull();
  });
});
