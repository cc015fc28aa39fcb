// Student's t quantile and CDF (repro/t_dist.ts) against closed forms and SciPy's stats.t (the oracle under
// /usr/bin/python3, python3-scipy), for df 1…30 and larger.
import { describe, expect, it } from 'vitest';
import { lnGamma, regIncBeta, tCdf, tQuantile } from '../../repro/t_dist.js';
import { pythonOracle } from '../helpers/torch.js';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const DFS = [...Array.from({ length: 30 }, (_, i) => i + 1), 35, 40, 50, 60, 80, 100, 120, 200, 500, 1000, 1e4, 1e5, 1e6, 2.5, 7.3];
const PS = [0.6, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995, 0.025, 0.1];

describe('t distribution', () => {
  it('closed forms: df 1 (Cauchy) and df 2; ln Γ and I_x at known points', () => {
    for (const p of PS) {
      expect(rel(tQuantile(p, 1), Math.tan(Math.PI * (p - 0.5)))).toBeLessThan(1e-13);
      expect(rel(tQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)))).toBeLessThan(1e-13);
    }
    expect(tQuantile(0.5, 7)).toBe(0);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(regIncBeta(0.5, 2, 2)).toBeCloseTo(0.5, 14);
    expect(regIncBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
  });

  it('quantiles and CDF agree with scipy.stats.t (to 1e-8: SciPy\'s own ppf is ~1e-9 off the df-1 closed form) for df 1…30 and up to 1e6', () => {
    const cases = DFS.flatMap((df) => PS.map((p) => ({ df, p })));
    const ref = pythonOracle<{ q: number[]; c: number[] }>(
      'out = {"q": [float(stats.t.ppf(c["p"], c["df"])) for c in inp], "c": [float(stats.t.cdf(x, c["df"])) for c, x in zip(inp, [-3.1, -0.4, 0.7, 1.9, 4.2] * 1000)]}',
      cases, 'from scipy import stats\n');
    const xs = [-3.1, -0.4, 0.7, 1.9, 4.2];
    cases.forEach(({ df, p }, i) => {
      expect(rel(tQuantile(p, df), ref.q[i]!), `ppf(${p}, ${df})`).toBeLessThan(1e-8);
      expect(Math.abs(tCdf(xs[i % xs.length]!, df) - ref.c[i]!), `cdf(${xs[i % xs.length]}, ${df})`).toBeLessThan(1e-12);
    });
  });

  it('bad input names the parameter', () => {
    expect(() => tQuantile(1, 3)).toThrow(/p must be in \(0, 1\), got 1/);
    expect(() => tQuantile(0.9, 0)).toThrow(/df must be a finite number > 0, got 0/);
    expect(() => tCdf(Number.NaN, 3)).toThrow(/t must be a number/);
    expect(() => regIncBeta(1.5, 1, 1)).toThrow(/x must be in \[0, 1\], got 1.5/);
  });
});
