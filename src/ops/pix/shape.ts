// Shape bookkeeping shared by the op, the kernels and the composite.
import type { PixAttrs } from './kernel_names.js';

/** x: [N,H,W,C]; G = ceil(C/zeta) groups; HW = H*W pixels per sample. */
export interface PixDims {
  N: number;
  H: number;
  W: number;
  C: number;
  G: number;
  HW: number;
  zeta: number;
}

export function pixDims(xShape: readonly number[], zeta: number): PixDims {
  const [N, H, W, C] = xShape;
  return { N, H, W, C, G: Math.ceil(C / zeta), HW: H * W, zeta };
}

/** Number of real channels of group g: zeta, or the remainder r = C - (G-1)*zeta for a clamped last group. */
export function groupSize(d: PixDims, g: number): number {
  return Math.min(d.zeta, d.C - g * d.zeta);
}

/** The avg divisor of group g under the attrs' avgDivisor rule. */
export function avgDivisorOf(d: PixDims, g: number, attrs: Pick<PixAttrs, 'avgDivisor'>): number {
  return attrs.avgDivisor === 'groupSize' ? groupSize(d, g) : d.zeta;
}

/**
 * Throws the documented error when p holds a NaN, or a value outside [0, 1] (cpu/wasm kernels call this when
 * attrs.checkNaN).
 */
export function assertNoNaN(p: ArrayLike<number>, G: number): void {
  for (let i = 0; i < p.length; i++) {
    if (Number.isNaN(p[i])) {
      throw new Error(`pix: p must not contain NaN; expected probabilities in [0, 1] but p[${Math.floor(i / G)}, ` +
        `${i % G}] is NaN (the official kernel would silently take the avg branch)`);
    }
    if (!(p[i]! >= 0 && p[i]! <= 1)) {
      throw new Error(`pix: p must hold probabilities in [0, 1], but p[${Math.floor(i / G)}, ${i % G}] is ${p[i]}`);
    }
  }
}
