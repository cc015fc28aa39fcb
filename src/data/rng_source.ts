// The random source the transforms take: `Rng` from src/core/rng.ts satisfies it. Kept as an interface so a test can
// replay the exact uniform draws an oracle (torchvision) used.
import { Rng, type RngState } from '../core/rng.js';

/** The draws the transforms use: random() in [0, 1), uniform(low, high), randint(n) in [0, n), beta(a, b), normal(). */
export type RandomSource = Pick<Rng, 'random' | 'uniform' | 'randint' | 'beta' | 'normal'>;

// 32-bit finaliser of MurmurHash3, good avalanche for combining small integers.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * An independent generator keyed by a tuple of non-negative integers (e.g. seed, epoch, sample index), with a full
 * 128-bit state so streams for different keys practically never coincide. Same key → same stream, on every run.
 */
export function keyedRng(...key: number[]): Rng {
  const state: RngState = [0, 0, 0, 0];
  for (let lane = 0; lane < 4; lane++) {
    let h = fmix32(0x9e3779b9 + lane * 0x632be5ab);
    for (const k of key) {
      if (!Number.isInteger(k) || k < 0 || k > Number.MAX_SAFE_INTEGER) {
        throw new Error(`keyedRng key: expected non-negative safe integers, got ${k}`);
      }
      h = fmix32(h ^ fmix32((k >>> 0) + lane));
      h = fmix32(h ^ fmix32(Math.floor(k / 2 ** 32) + 0x51ed27 + lane));
    }
    state[lane] = h;
  }
  if (state.every((v) => v === 0)) state[0] = 1;
  return Rng.fromState(state);
}
