// Channel selection by column subset selection (docs/methods/chex.md §2.1–§2.4): leverage scores of the rank-K right
// singular subspace of the filter matrix W (D × C, one column per output channel), with the L1-norm fallback when
// D < C (every downsample conv of the standard ResNets), and a deterministic top-K (ties → lower channel index).
import { rightSvd, type ColMatrix } from './svd.js';

export type LeverageNorm = 'norm' | 'squared-norm';

/** ψ_j = ‖row j of V_K‖ (code) or its square (paper); the ranking is the same. K = 0 gives all zeros. */
export function leverageScores(w: ColMatrix, k: number, norm: LeverageNorm = 'norm'): Float64Array {
  const c = w.cols.length;
  if (!Number.isInteger(k) || k < 0 || k > c) throw new Error(`leverageScores: k must be an integer in [0, ${c}], got ${k}`);
  const out = new Float64Array(c);
  if (k === 0) return out;
  const { v } = rightSvd(w);
  for (let r = 0; r < k; r++) {
    const col = v[r]!;
    for (let j = 0; j < c; j++) out[j]! += col[j]! * col[j]!;
  }
  if (norm === 'norm') for (let j = 0; j < c; j++) out[j] = Math.sqrt(out[j]!);
  return out;
}

/** Σ|w_j| per column. */
export function l1Scores(w: ColMatrix): Float64Array {
  return Float64Array.from(w.cols, (col) => col.reduce((a, x) => a + Math.abs(x), 0));
}

/** The importance score CHEX uses for a layer: leverage when D ≥ C, filter L1 norm otherwise. */
export function channelScores(w: ColMatrix, k: number, norm: LeverageNorm = 'norm'): { scores: Float64Array; method: 'leverage' | 'l1' } {
  return w.rows >= w.cols.length ? { scores: leverageScores(w, k, norm), method: 'leverage' } : { scores: l1Scores(w), method: 'l1' };
}

/** Indices of the k largest scores, ties broken by the lower index; returned in ascending index order. */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  const n = scores.length;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new Error(`topK: k must be an integer in [0, ${n}], got ${k}`);
  const idx = Array.from({ length: n }, (_, j) => j).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return idx.slice(0, k).sort((a, b) => a - b);
}
