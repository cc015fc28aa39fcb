// Right singular vectors and singular values of a dense float64 matrix (docs/methods/chex.md §2.3, §2.5):
// Householder QR (when rows > columns) followed by one-sided (Hestenes) Jacobi on the n×n factor R, which has the
// same right singular vectors as A. Jacobi sweeps run until no pair needs a rotation (relative tolerance 1e-15), so
// there is no silent under-convergence; more than 60 sweeps is an error. Columns below 1e-13·‖A‖_F count as zero
// (singular values of a rank-deficient matrix; their right vectors are then some basis of the null space).

/** A column-major matrix: `cols[j]` is column j (length `rows`). */
export interface ColMatrix {
  rows: number;
  cols: Float64Array[];
}

export interface Svd {
  /** singular values, descending (length n) */
  s: Float64Array;
  /** right singular vectors: v[k] = the k-th column of V (length n), ordered like `s` */
  v: Float64Array[];
}

const TOL = 1e-15;
const MAX_SWEEPS = 60;

/** The upper-triangular n×n factor R of A = QR (m ≥ n), column-major, by Householder reflections. */
function householderR(a: ColMatrix): Float64Array[] {
  const m = a.rows;
  const n = a.cols.length;
  const c = a.cols.map((col) => Float64Array.from(col));
  for (let k = 0; k < n; k++) {
    const x = c[k]!;
    let norm = 0;
    for (let i = k; i < m; i++) norm += x[i]! * x[i]!;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const alpha = x[k]! > 0 ? -norm : norm;
    // v = x[k:] − alpha·e1; H = I − 2vvᵀ/(vᵀv)
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = x[i]!;
    v[0]! -= alpha;
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i]! * v[i]!;
    if (vv === 0) continue;
    for (let j = k; j < n; j++) {
      const col = c[j]!;
      let d = 0;
      for (let i = k; i < m; i++) d += v[i - k]! * col[i]!;
      const f = (2 * d) / vv;
      for (let i = k; i < m; i++) col[i]! -= f * v[i - k]!;
    }
  }
  return c.map((col) => col.slice(0, n));
}

/** Thin SVD's right factor of `a` (rows × n): singular values (descending) and right singular vectors. */
export function rightSvd(a: ColMatrix): Svd {
  const n = a.cols.length;
  for (const [j, col] of a.cols.entries()) {
    if (col.length !== a.rows) throw new Error(`rightSvd: column ${j} has ${col.length} entries, expected rows = ${a.rows}`);
    for (const x of col) if (!Number.isFinite(x)) throw new Error(`rightSvd: column ${j} holds a non-finite value ${x}`);
  }
  const w = a.rows > n ? householderR(a) : a.cols.map((c) => Float64Array.from(c));
  const len = w.length ? w[0]!.length : 0;
  const v = Array.from({ length: n }, (_, j) => {
    const e = new Float64Array(n);
    e[j] = 1;
    return e;
  });
  const norms = w.map((c) => dot(c, c, len));
  // columns below 1e-13·‖A‖_F are numerically zero (rank-deficient input): rotating them only chases round-off
  const tiny = 1e-26 * norms.reduce((a, b) => a + b, 0);
  let sweep = 0;
  for (;;) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const alpha = norms[p]!;
        const beta = norms[q]!;
        if (alpha <= tiny || beta <= tiny) continue;
        const gamma = dot(w[p]!, w[q]!, len);
        if (Math.abs(gamma) <= TOL * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t);
        const sn = cs * t;
        rotate(w[p]!, w[q]!, cs, sn, len);
        rotate(v[p]!, v[q]!, cs, sn, n);
        norms[p] = dot(w[p]!, w[p]!, len);
        norms[q] = dot(w[q]!, w[q]!, len);
      }
    }
    if (!rotated) break;
    if (++sweep > MAX_SWEEPS) throw new Error(`rightSvd: Jacobi did not converge in ${MAX_SWEEPS} sweeps (matrix ${a.rows}×${n})`);
  }
  const s = norms.map(Math.sqrt);
  // descending singular values; ties keep the lower column first (deterministic)
  const order = Array.from({ length: n }, (_, j) => j).sort((i, j) => s[j]! - s[i]! || i - j);
  return { s: Float64Array.from(order, (j) => s[j]!), v: order.map((j) => v[j]!) };
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

/** [a, b] ← [c·a − s·b, s·a + c·b] */
function rotate(a: Float64Array, b: Float64Array, c: number, s: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    a[i] = c * x - s * y;
    b[i] = s * x + c * y;
  }
}
