// CHEX selection numerics against the PyTorch float64 reference (scripts/fixtures/chex_css.py → test/fixtures/chex/
// css.json): singular values, leverage scores, keep sets (incl. rank-deficient matrices with zero or dependent
// columns), the L1 fallback, distances to the kept span (incl. a span covering the whole space), the global |γ|
// threshold, softmax sampling without replacement, and the regrow schedule.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.js';
import { bnPrunedCounts, bnThreshold } from '../../../src/methods/chex/allocation.js';
import { channelScores, topK } from '../../../src/methods/chex/css.js';
import { softmaxSampleWithoutReplacement, spanDistances } from '../../../src/methods/chex/regrow.js';
import { initialKeep, isExplorationEpoch, regrowFactor } from '../../../src/methods/chex/schedule.js';
import { rightSvd, type ColMatrix } from '../../../src/methods/chex/svd.js';

interface Case {
  name: string; rows: number; cols: number; k: number; w: number[][]; method: 'leverage' | 'l1'; scores: number[]; keep: number[];
  candidates: number[]; distances: number[]; singular: number[]; rank: number;
}
const FIX = JSON.parse(readFileSync('test/fixtures/chex/css.json', 'utf8')) as {
  cases: Case[]; allocation: Array<{ gammas: number[][]; sparsity: number; threshold: number; pruned: number[] }>;
};
const mat = (c: Case): ColMatrix => ({ rows: c.rows, cols: c.w.map((x) => Float64Array.from(x)) });

describe('one-sided Jacobi SVD', () => {
  for (const c of FIX.cases) {
    it(`${c.name}: singular values and orthonormal V that diagonalises WᵀW`, () => {
      const { s, v } = rightSvd(mat(c));
      const n = Math.min(c.rows, c.cols);
      const scale = c.singular[0]!;
      for (let i = 0; i < n; i++) expect(Math.abs(s[i]! - c.singular[i]!)).toBeLessThan(1e-12 * scale);
      for (let i = n; i < c.cols; i++) expect(s[i]!).toBeLessThan(1e-12 * scale);
      for (let a = 0; a < c.cols; a++) {
        for (let b = 0; b < c.cols; b++) {
          const d = v[a]!.reduce((acc, x, j) => acc + x * v[b]![j]!, 0);
          expect(Math.abs(d - (a === b ? 1 : 0))).toBeLessThan(1e-12);
        }
      }
    });
  }
  it('rejects non-finite input, naming the column', () => {
    expect(() => rightSvd({ rows: 2, cols: [new Float64Array([1, 2]), new Float64Array([NaN, 0])] })).toThrow(/column 1.*non-finite/);
  });
});

describe('leverage scores and keep sets vs PyTorch', () => {
  for (const c of FIX.cases) {
    it(`${c.name} (rank ${c.rank}, K ${c.k}, ${c.method})`, () => {
      const { scores, method } = channelScores(mat(c), c.k);
      expect(method).toBe(c.method);
      for (let j = 0; j < c.cols; j++) expect(Math.abs(scores[j]! - c.scores[j]!)).toBeLessThan(1e-9);
      if (c.name !== 'spanned-4x10') expect(topK(scores, c.k)).toEqual(c.keep);
    });
  }
  it('docs/methods/chex.md §2.4 test vector: squared leverage and keep {0, 1}', () => {
    const c = FIX.cases[0]!;
    const sq = channelScores(mat(c), 2, 'squared-norm').scores;
    [0.917414, 0.811922, 0.261207, 0.009457].forEach((x, j) => expect(sq[j]!).toBeCloseTo(x, 6));
    expect(rightSvd(mat(c)).s.map((x) => Math.round(x * 1e6) / 1e6)).toEqual(Float64Array.from([3.345585, 2.418903, 1.157523, 0.930651]));
  });
  it('zero (pruned) columns score 0 and never enter the keep set while K ≤ rank', () => {
    const c = FIX.cases.find((x) => x.name === 'zero-columns-27x12')!;
    const { scores } = channelScores(mat(c), c.k);
    for (const j of [1, 4, 7, 10]) expect(scores[j]).toBeLessThan(1e-12);
  });
  it('topK breaks ties by the lower index and validates k', () => {
    expect(topK([1, 3, 3, 0, 3], 2)).toEqual([1, 2]);
    expect(() => topK([1, 2], 3)).toThrow(/k must be an integer in \[0, 2\]/);
  });
});

describe('distance to the kept span vs PyTorch pinverse (float64)', () => {
  for (const c of FIX.cases) {
    it(c.name, () => {
      const d = spanDistances(mat(c), c.keep, c.candidates);
      const scale = Math.max(...c.w.map((col) => Math.hypot(...col)));
      c.distances.forEach((x, i) => expect(Math.abs(d[i]! - x)).toBeLessThan(1e-9 * scale));
      if (c.name === 'spanned-4x10') expect([...d]).toEqual([0, 0, 0]); // exact: uniform sampling follows
    });
  }
  it('chex.md §3.2: squared residuals 1.3 and 1.2; softmax [0.511181, 0.488819]', () => {
    const c = FIX.cases[0]!;
    const sq = spanDistances(mat(c), [0, 1], [2, 3], 'squared-norm');
    expect(sq[0]).toBeCloseTo(1.3, 12);
    expect(sq[1]).toBeCloseTo(1.2, 12);
    const e = spanDistances(mat(c), [0, 1], [2, 3]);
    const p0 = Math.exp(e[0]!) / (Math.exp(e[0]!) + Math.exp(e[1]!));
    expect(p0).toBeCloseTo(0.511181, 6);
  });
});

describe('softmax sampling without replacement', () => {
  it('draws distinct items; frequencies follow the softmax for one draw', () => {
    const rng = new Rng(3);
    const counts = [0, 0, 0];
    const n = 30000;
    for (let t = 0; t < n; t++) counts[[10, 20, 30].indexOf(softmaxSampleWithoutReplacement([10, 20, 30], [0, 1, 2], 1, rng)[0]!)]!++;
    const z = 1 + Math.E + Math.E ** 2;
    [1 / z, Math.E / z, Math.E ** 2 / z].forEach((p, i) => expect(Math.abs(counts[i]! / n - p)).toBeLessThan(0.01));
    const many = softmaxSampleWithoutReplacement([1, 2, 3, 4, 5], [5, 0, 0, 0, 9], 4, rng);
    expect(new Set(many).size).toBe(4);
    expect(softmaxSampleWithoutReplacement([1, 2], [0, 0], 5, rng)).toEqual([1, 2]);
  });
  it('second draw renormalises over the rest (P(second = b | first = a))', () => {
    const rng = new Rng(11);
    let ab = 0;
    let a = 0;
    for (let t = 0; t < 20000; t++) {
      const r = softmaxSampleWithoutReplacement([0, 1, 2], [Math.log(6), Math.log(3), Math.log(1)], 2, rng);
      if (r.includes(0)) a++;
      if (r.includes(0) && r.includes(1)) ab++;
    }
    // P({0,1}) = .6·.3/.4 + .3·.6/.7 = 0.707143; P(0 ∈ draw) = .6 + .3·.6/.7 + .1·.6/.9 = 0.923810
    expect(Math.abs(ab / 20000 - 0.707143)).toBeLessThan(0.012);
    expect(Math.abs(a / 20000 - 0.92381)).toBeLessThan(0.008);
  });
});

describe('global |γ| allocation', () => {
  for (const [i, a] of FIX.allocation.entries()) {
    it(`case ${i}: threshold and pruned counts equal NumPy`, () => {
      expect(bnThreshold(a.gammas, a.sparsity)).toBe(a.threshold);
      const pruned = bnPrunedCounts(a.gammas, a.sparsity);
      expect(pruned).toEqual(a.pruned);
      const total = a.gammas.reduce((s, g) => s + g.length, 0);
      // exactly floor(M·s)+1 pruned when there are no ties at the threshold
      expect(pruned.reduce((x, y) => x + y, 0)).toBe(Math.floor(total * a.sparsity) + 1);
    });
  }
  it('chex.md §10.5: γ = 0.1…1.0 in two layers, s = 0.3 → κ = [0.8, 0]', () => {
    expect(bnPrunedCounts([[0.1, 0.2, 0.3, 0.4, 0.5], [0.6, 0.7, 0.8, 0.9, 1.0]], 0.3)).toEqual([4, 0]);
  });
  it('ties at the threshold are pruned; sparsity outside [0, 1) is an error', () => {
    expect(bnPrunedCounts([[0, 0, 0, 1], [0, 2]], 0.1)).toEqual([3, 1]);
    expect(() => bnPrunedCounts([[1]], 1)).toThrow(/channel sparsity must be in \[0, 1\)/);
  });
});

describe('schedule', () => {
  it('exploration epochs {2, 4, …, 180} for ΔT 2, T_max 180; δ values of chex.md §5.3', () => {
    const eps = Array.from({ length: 250 }, (_, e) => e).filter((e) => isExplorationEpoch(e, 2, 180));
    expect(eps.length).toBe(90);
    expect(eps[0]).toBe(2);
    expect(eps.at(-1)).toBe(180);
    expect(regrowFactor(2, 0.3, 180)).toBeCloseTo(0.299909, 6);
    expect(regrowFactor(90, 0.3, 180)).toBeCloseTo(0.15, 12);
    expect(regrowFactor(150, 0.3, 180)).toBeCloseTo(0.020096, 6);
    expect(regrowFactor(180, 0.3, 180)).toBeCloseTo(0, 15);
  });
  it('initial keep counts 38/76/153/307/614/1228 for S 0.7, δ0 0.3', () => {
    expect([64, 128, 256, 512, 1024, 2048].map((c) => initialKeep(c, 0.7, 0.3))).toEqual([38, 76, 153, 307, 614, 1228]);
  });
});
