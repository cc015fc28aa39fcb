// Channel regrowing (docs/methods/chex.md §3.1–§3.2): the distance of every candidate filter to the span of the kept
// filters, a softmax over those distances, and R draws without replacement (sequential, renormalised after each).
// The projection is exact (orthonormal basis by twice-applied modified Gram–Schmidt with a rank tolerance), so when
// the kept filters span the whole space (1×1 downsample convs keeping more than D channels) every distance is 0 and
// the draw is uniform — a documented deviation from the official float32 pinverse round-off.
import type { Rng } from '../../core/rng.js';
import type { ColMatrix } from './svd.js';

export type DistanceKind = 'norm' | 'squared-norm';

const RANK_TOL = 1e-12;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** x − Q Qᵀ x, applied twice (re-orthogonalisation). */
function residual(basis: Float64Array[], x: Float64Array): Float64Array {
  const r = Float64Array.from(x);
  for (let pass = 0; pass < 2; pass++) {
    for (const q of basis) {
      const d = dot(q, r);
      for (let i = 0; i < r.length; i++) r[i]! -= d * q[i]!;
    }
  }
  return r;
}

/**
 * ε_j = ‖w_j − P_T w_j‖ (or its square) for every candidate j, P_T = projection onto span{w_t : t ∈ kept}.
 * Residuals below 1e-12 × the largest column norm are exactly 0 (the kept filters span w_j).
 */
export function spanDistances(w: ColMatrix, kept: readonly number[], candidates: readonly number[], kind: DistanceKind = 'norm'): Float64Array {
  let scale = 0;
  for (const col of w.cols) scale = Math.max(scale, Math.sqrt(dot(col, col)));
  const tol = RANK_TOL * scale;
  const basis: Float64Array[] = [];
  for (const t of kept) {
    if (basis.length >= w.rows) break;
    const r = residual(basis, w.cols[t]!);
    const n = Math.sqrt(dot(r, r));
    if (n > tol) basis.push(r.map((x) => x / n));
  }
  return Float64Array.from(candidates, (j) => {
    const r = residual(basis, w.cols[j]!);
    const n = Math.sqrt(dot(r, r));
    const d = n > tol ? n : 0;
    return kind === 'norm' ? d : d * d;
  });
}

/** Draws `count` distinct items with probabilities softmax(logits), renormalising after each draw. */
export function softmaxSampleWithoutReplacement(items: readonly number[], logits: ArrayLike<number>, count: number, rng: Rng): number[] {
  if (!Number.isInteger(count) || count < 0) throw new Error(`regrow: count must be a non-negative integer, got ${count}`);
  if (logits.length !== items.length) throw new Error(`regrow: ${items.length} candidates but ${logits.length} scores`);
  const n = Math.min(count, items.length);
  const max = Math.max(...Array.from(logits));
  const wts = Float64Array.from(logits, (x) => Math.exp(x - max));
  const out: number[] = [];
  for (let d = 0; d < n; d++) {
    let total = 0;
    for (const x of wts) total += x;
    const u = rng.random() * total;
    let acc = 0;
    let pick = -1;
    for (let i = 0; i < wts.length; i++) {
      if (wts[i] === 0) continue;
      acc += wts[i]!;
      pick = i;
      if (u < acc) break;
    }
    out.push(items[pick]!);
    wts[pick] = 0;
  }
  return out.sort((a, b) => a - b);
}
