// Cell arithmetic: mean ± std over seeds, Δ against the paper, and the status (within / above / below / not run).
import type { Aggregate, PaperValue, Tolerance } from './definition.js';

export type Status = 'within' | 'above' | 'below' | 'not run' | 'no target';

export function aggregate(values: readonly number[]): Aggregate | null {
  if (values.length === 0) return null;
  for (const v of values) if (!Number.isFinite(v)) throw new Error(`aggregate: values must be finite numbers, got ${v}`);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** value reduced to `decimals` by the paper's printing rule (exact decimal steps, no float drift in the comparison). */
export function printedValue(value: number, rule: 'round' | 'trunc', decimals: number): number {
  const scaled = value * 10 ** decimals;
  const r = rule === 'round' ? Math.round(scaled) : Math.trunc(scaled + (scaled >= 0 ? 1e-9 : -1e-9));
  return r / 10 ** decimals;
}

export interface CellStatus {
  status: Status;
  /** reproduced − paper (at the printed precision for `printed` tolerances); null when not run or no target. */
  delta: number | null;
}

function checkTolerance(t: Tolerance): void {
  for (const k of ['abs', 'rel', 'spread'] as const) {
    const v = t[k];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new Error(`tolerance.${k} must be a number ≥ 0, got ${v}`);
  }
  if (t.printed && !(Number.isInteger(t.printed.decimals) && t.printed.decimals >= 0)) {
    throw new Error(`tolerance.printed.decimals must be an integer ≥ 0, got ${t.printed.decimals}`);
  }
  if (!t.printed && t.abs === undefined && t.rel === undefined && t.spread === undefined) {
    throw new Error('tolerance: expected at least one of printed, abs, rel, spread');
  }
}

/** The status of one cell. A missing reproduced value is "not run" (never a number); a missing paper value "no target". */
export function cellStatus(reproduced: Aggregate | null, paper: PaperValue | undefined, tolerance: Tolerance | undefined): CellStatus {
  if (!reproduced) return { status: 'not run', delta: null };
  if (!paper) return { status: 'no target', delta: null };
  if (!tolerance) throw new Error(`cellStatus: a paper value (${paper.printed}) needs a tolerance`);
  checkTolerance(tolerance);
  const ours = tolerance.printed ? printedValue(reproduced.mean, tolerance.printed.rule, tolerance.printed.decimals) : reproduced.mean;
  const delta = ours - paper.value;
  const eps = 1e-9 * Math.max(1, Math.abs(paper.value));
  const bounds = [
    tolerance.printed ? 0 : -1,
    tolerance.abs ?? -1,
    tolerance.rel !== undefined ? tolerance.rel * Math.abs(paper.value) : -1,
    tolerance.spread !== undefined ? tolerance.spread * reproduced.std : -1,
  ];
  const within = bounds.some((b) => b >= 0 && Math.abs(delta) <= b + eps);
  return { status: within ? 'within' : delta > 0 ? 'above' : 'below', delta: tolerance.printed ? printedValue(delta, 'round', tolerance.printed.decimals) : delta };
}

/** Difference of two rows' means with the seed spread of a single-run difference (√(s₁² + s₂²)). */
export function difference(a: Aggregate, b: Aggregate): Aggregate {
  return { mean: a.mean - b.mean, std: Math.sqrt(a.std ** 2 + b.std ** 2), n: Math.min(a.n, b.n) };
}

/** Whether the difference of two rows' means exceeds twice its standard error (the seed-to-seed spread). */
export function exceedsSpread(a: Aggregate, b: Aggregate): boolean | null {
  if (a.n < 2 || b.n < 2) return null;
  const se = Math.sqrt(a.std ** 2 / a.n + b.std ** 2 / b.n);
  return Math.abs(a.mean - b.mean) > 2 * se;
}
