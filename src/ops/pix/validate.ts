// PiX parameter checks, used by the pix() op and by the PiX modules (src/methods/pix): every error names the owner,
// the parameter and the expected value. Generic checks (positive ints, NHWC tensors) come from src/core/check.ts.
import type { Tensor } from '@tensorflow/tfjs-core';
import { checkInRange, checkNHWC } from '../../core/check.js';
import {
  PIX_AVG_DIVISORS, PIX_REDUCTIONS, type PixAvgDivisor, type PixReduce,
} from './kernel_names.js';

export function validateZeta(zeta: unknown, owner = 'pix'): number {
  if (typeof zeta !== 'number' || !Number.isInteger(zeta) || zeta < 1) {
    throw new Error(`${owner}: zeta must be a positive integer (the channel subset size), got ${String(zeta)}`);
  }
  return zeta;
}

export function validateTau(tau: unknown, owner = 'pix'): number {
  return checkInRange(tau as number, 0, 1, 'tau', owner);
}

export function validateReduce(reduce: unknown, owner = 'pix'): PixReduce {
  if (typeof reduce !== 'string' || !(PIX_REDUCTIONS as readonly string[]).includes(reduce)) {
    throw new Error(`${owner}: reduce must be one of ${PIX_REDUCTIONS.map((r) => `'${r}'`).join(', ')}, got ${String(reduce)}`);
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
  checkNHWC(x, null, 'pix', 'x');
  if (x.dtype !== 'float32') throw new Error(`pix: x must be float32, got ${x.dtype}`);
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
