// Cell arithmetic: mean ± std over seeds, Δ against the paper, the status (within / above / below / not run), the 95 %
// confidence interval of a mean (t-distribution) and the verdict of a paired Δ cell.
import type { Aggregate, PaperValue, Tolerance } from './definition.js';
import { tQuantile } from './t_dist.js';

export type Status = 'within' | 'above' | 'below' | 'not run' | 'no target';

export function aggregate(values: readonly number[]): Aggregate | null {
  if (values.length === 0) return null;
  for (const v of values) if (!Number.isFinite(v)) throw new Error(`aggregate: values must be finite numbers, got ${v}`);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** Decimals of a printed number ('12.8' → 1, '.837' → 3, '3' → 0). */
export function printedDecimals(s: string): number {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
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

/** The verdict of a paired Δ cell (see `verdict`). */
export type Verdict = 'confirmed' | 'contradicted' | 'not resolved' | 'higher' | 'lower';

const quantiles = new Map<string, number>();

/**
 * Two-sided `level` confidence interval of the mean of `values` (independent draws: seeds, or per-seed differences):
 * mean ± t_{(1+level)/2, n−1} · s / √n. Null for fewer than two values (no spread to estimate).
 */
export function meanInterval(values: readonly number[], level = 0.95): [number, number] | null {
  if (!(level > 0 && level < 1)) throw new Error(`meanInterval: level must be in (0, 1), got ${level}`);
  const a = aggregate(values);
  if (!a || a.n < 2) return null;
  const key = `${level}/${a.n - 1}`;
  let t = quantiles.get(key);
  if (t === undefined) quantiles.set(key, (t = tQuantile((1 + level) / 2, a.n - 1)));
  const half = (t * a.std) / Math.sqrt(a.n);
  return [a.mean - half, a.mean + half];
}

/**
 * What a Δ's confidence interval says. With the paper's direction (`paperSign` > 0: the paper's Δ is positive, < 0:
 * negative): 'confirmed' when the interval excludes 0 on the paper's side, 'contradicted' when it excludes 0 on the
 * other side. Without one (null or 0): 'higher' / 'lower' than the reference. 'not resolved' when the interval holds
 * 0, or there is none (fewer than two pairs).
 */
export function verdict(ci: readonly [number, number] | null, paperSign: number | null): Verdict {
  if (paperSign !== null && !Number.isFinite(paperSign)) throw new Error(`verdict: paperSign must be a finite number or null, got ${paperSign}`);
  if (!ci || (ci[0] <= 0 && ci[1] >= 0)) return 'not resolved';
  const side = ci[0] > 0 ? 1 : -1;
  if (!paperSign) return side > 0 ? 'higher' : 'lower';
  return side === Math.sign(paperSign) ? 'confirmed' : 'contradicted';
}
