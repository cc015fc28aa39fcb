// Student's t-distribution: the CDF through the regularized incomplete beta function and the quantile by bisection on
// the upper tail, for the confidence intervals of the reproduction tables (status.ts). Accurate to ~1e-12 relative
// against SciPy's stats.t (test/repro/t_dist.test.ts checks df 1…30 and larger).

// Lanczos approximation of ln Γ(x) for x > 0 (g = 7, nine coefficients; ~1e-15 relative).
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function lnGamma(x: number): number {
  if (!(x > 0)) throw new Error(`lnGamma: x must be > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) s += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Continued fraction of I_x(a, b) (modified Lentz), valid for x < (a + 1) / (a + b + 2). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    // even step
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    // odd step
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) return h;
  }
  throw new Error(`betaFraction: no convergence for x=${x}, a=${a}, b=${b}`);
}

/** Stirling's correction ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π] for x ≥ 8 (Bernoulli terms to x⁻⁷). */
function stirlingCorrection(x: number): number {
  const x2 = x * x;
  return (1 / 12 - (1 / 360 - (1 / 1260 - 1 / (1680 * x2)) / x2) / x2) / x;
}

/**
 * ln B(a, b). For b = ½ and large a (the t-distribution's case) as ½ ln π − [ln Γ(a + ½) − ln Γ(a)], the difference
 * written without the cancellation of two large ln Γ values.
 */
function lnBeta(a: number, b: number): number {
  if (b === 0.5 && a >= 8) {
    const d = a * Math.log1p(1 / (2 * a)) + 0.5 * Math.log(a) - 0.5 + stirlingCorrection(a + 0.5) - stirlingCorrection(a);
    return 0.5 * Math.log(Math.PI) - d;
  }
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
}

/**
 * The regularized incomplete beta function I_x(a, b), x ∈ [0, 1], a, b > 0. `y` = 1 − x exactly when the caller has
 * it (x close to 1 loses digits in 1 − x).
 */
export function regIncBeta(x: number, a: number, b: number, y = 1 - x): number {
  if (!(a > 0 && b > 0)) throw new Error(`regIncBeta: a and b must be > 0, got a=${a}, b=${b}`);
  if (!(x >= 0 && x <= 1)) throw new Error(`regIncBeta: x must be in [0, 1], got ${x}`);
  if (x === 0 || x === 1) return x;
  const lnX = x > 0.5 ? Math.log1p(-y) : Math.log(x);
  const lnY = y > 0.5 ? Math.log1p(-x) : Math.log(y);
  const front = Math.exp(a * lnX + b * lnY - lnBeta(a, b));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(y, b, a)) / b;
}

function checkDf(df: number): void {
  if (!(df > 0 && Number.isFinite(df))) throw new Error(`t distribution: df must be a finite number > 0, got ${df}`);
}

/** P(T > t) for t ≥ 0: ½ I_{ν/(ν+t²)}(ν/2, ½), computed without cancellation. */
function upperTail(t: number, df: number): number {
  const t2 = t * t;
  return 0.5 * regIncBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2));
}

/** P(T ≤ t) of Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) throw new Error('tCdf: t must be a number, got NaN');
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  return t >= 0 ? 1 - upperTail(t, df) : upperTail(-t, df);
}

/** The p-quantile of Student's t with `df` degrees of freedom (e.g. tQuantile(0.975, 4) = 2.7764…). */
export function tQuantile(p: number, df: number): number {
  checkDf(df);
  if (!(p > 0 && p < 1)) throw new Error(`tQuantile: p must be in (0, 1), got ${p}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  const tail = 1 - p;
  // bracket: the upper tail falls from ½ at 0; double the bound until it is below the target
  let lo = 0;
  let hi = 1;
  while (upperTail(hi, df) > tail) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) throw new Error(`tQuantile: no quantile found for p=${p}, df=${df}`);
  }
  // bisection to the last representable step (the tail is monotone in t)
  for (let i = 0; i < 2000 && hi - lo > 1e-15 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (upperTail(mid, df) > tail) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
