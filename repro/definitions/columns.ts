// Metric columns that several tables share, defined once: the trained top-1 and its seed-paired Δ (with how close a
// rerun must come), the training throughput (machine-dependent: shown, never compared).
import type { Metric, Tier, Tolerance } from '../definition.js';

/**
 * How close a rerun's trained top-1 (and a Δ of two of them) must come to the committed reference (compare.ts): the
 * native kernels' float reductions depend on the thread count and the machine, and training amplifies such differences
 * (measured: the quick head-to-head with 1 instead of 2 native threads moved top-1 by up to 1.1 pp, Δ by up to 0.6 pp).
 */
export const RERUN_TOP1: Tolerance = { abs: 2 };
export const RERUN_DELTA: Tolerance = { abs: 2.5 };

/** Where a column sits: its tiers, the tiers its paper value is the target at, its tolerance. */
type Placement = Pick<Metric, 'tiers' | 'paperTiers' | 'tolerance'>;

/** ImageNet top-1 against a Fashion-MNIST run: the target only at the full tier, ±0.3 pp (a typical seed-to-seed spread there) or 2 × the spread. */
export const IMAGENET_TOP1: Placement = { paperTiers: ['full'], tolerance: { abs: 0.3, spread: 2 } };
/** A Δ measured on another data set and network (small tier): only its direction and rough size can agree. */
export const TRANSFERRED_DELTA: Tolerance = { abs: 0.5, spread: 2 };

/** Top-1 (%) of a trained row. */
export function top1Column(label: 'top-1' | 'test top-1', where: Placement = {}): Metric {
  return { key: 'top1', label, unit: '%', decimals: 2, ...where, agreement: RERUN_TOP1 };
}

/** Δ top-1 (pp) of a row against another, paired by seed; `key` names it where a table pairs two ways. */
export function deltaTop1Column(where: Placement = {}, key = 'delta_top1'): Metric {
  return { key, label: 'Δ top-1', unit: 'pp', decimals: 2, ...where, agreement: RERUN_DELTA };
}

/** Training images per second (all of the table's tiers unless `tiers`). */
export function throughputColumn(tiers?: readonly Tier[]): Metric {
  return { key: 'trainImgPerSec', label: 'training throughput', unit: 'img/s', decimals: 0, ...(tiers ? { tiers } : {}), agreement: 'machine' };
}
