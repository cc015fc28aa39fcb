// Per-seed values of a result file and the common paired Δ: a row against another row of the same table, seed by seed.
import type { PairedDelta, ResultValues } from './definition.js';
import type { ResultFile } from './results.js';
import { aggregate } from './status.js';

/** The values of `file` (null: nothing has run) per seed and aggregated. */
export function resultValues(file: ResultFile | null): ResultValues {
  const seeds = (row: string, metric: string): Map<number, number> => {
    const r = file?.rows[row];
    const out = new Map<number, number>();
    if (!r) return out;
    const computed = r.computed?.metrics[metric];
    for (const s of r.seeds) {
      const v = computed ?? s.metrics[metric];
      if (v !== undefined) out.set(s.seed, v);
    }
    return out;
  };
  return {
    seeds,
    value(row, metric) {
      const v = file?.rows[row]?.computed?.metrics[metric];
      return v !== undefined ? aggregate([v]) : aggregate([...seeds(row, metric).values()]);
    },
  };
}

/** seed → a − b for the seeds both maps have. */
export function pairDifferences(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [seed, v] of a) {
    const w = b.get(seed);
    if (w !== undefined) out.set(seed, v - w);
  }
  return out;
}

/**
 * Δ `metric` of a row against the row `reference(row)` names (null: no Δ cell for that row), seed by seed: cell key
 * `key`, e.g. `againstRow('delta_top1', 'top1', (r) => r === 'default' ? null : 'default')`.
 */
export function againstRow(key: string, metric: string, reference: (row: string) => string | null): PairedDelta {
  return {
    key,
    reference,
    differences(row, values) {
      const ref = reference(row);
      return ref === null ? new Map() : pairDifferences(values.seeds(row, metric), values.seeds(ref, metric));
    },
  };
}
