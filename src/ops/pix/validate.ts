// Input validation for pix(): every error names the parameter and the expected value.
import type { Tensor } from '@tensorflow/tfjs-core';
import {
  PIX_AVG_DIVISORS, PIX_REDUCTIONS, type PixAvgDivisor, type PixReduce,
} from './kernel_names.js';

export function validateZeta(zeta: unknown): number {
  if (typeof zeta !== 'number' || !Number.isInteger(zeta) || zeta < 1) {
    throw new Error(`pix: zeta must be a positive integer (the channel subset size), got ${String(zeta)}`);
  }
  return zeta;
}

export function validateTau(tau: unknown): number {
  if (typeof tau !== 'number' || !Number.isFinite(tau) || tau < 0 || tau > 1) {
    throw new Error(`pix: tau must be a finite number in [0, 1], got ${String(tau)}`);
  }
  return tau;
}

export function validateReduce(reduce: unknown): PixReduce {
  if (typeof reduce !== 'string' || !(PIX_REDUCTIONS as readonly string[]).includes(reduce)) {
    throw new Error(`pix: reduce must be one of ${PIX_REDUCTIONS.map((r) => `'${r}'`).join(', ')}, got ${String(reduce)}`);
  }
  return reduce as PixReduce;
}

export function validateAvgDivisor(d: unknown): PixAvgDivisor {
  if (typeof d !== 'string' || !(PIX_AVG_DIVISORS as readonly string[]).includes(d)) {
    throw new Error(`pix: avgDivisor must be 'zeta' or 'groupSize', got ${String(d)}`);
  }
  return d as PixAvgDivisor;
}

/** x must be rank-4 float32 NHWC with non-zero channels. */
export function validateX(x: Tensor): void {
  if (x.rank !== 4) {
    throw new Error(`pix: x must be rank 4 [N,H,W,C] (NHWC), got shape [${x.shape.join(',')}]`);
  }
  if (x.dtype !== 'float32') throw new Error(`pix: x must be float32, got ${x.dtype}`);
  if ((x.shape[3] ?? 0) < 1) throw new Error(`pix: x must have at least one channel, got shape [${x.shape.join(',')}]`);
}

/** p must be float32 [N,G] or [N,1,1,G] with G = ceil(C/zeta). */
export function validateP(p: Tensor, N: number, G: number, C: number, zeta: number): void {
  const s = p.shape;
  const ok = (s.length === 2 && s[0] === N && s[1] === G) ||
    (s.length === 4 && s[0] === N && s[1] === 1 && s[2] === 1 && s[3] === G);
  if (!ok) {
    throw new Error(`pix: p must have shape [${N},${G}] or [${N},1,1,${G}] (G = ceil(C/zeta) = ceil(${C}/${zeta})), ` +
      `got [${s.join(',')}]`);
  }
  if (p.dtype !== 'float32') throw new Error(`pix: p must be float32, got ${p.dtype}`);
}
