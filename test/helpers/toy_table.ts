// The toy table of the repro tests ('toy', tiers quick and small): an integer count (tolerance: the paper's printed
// value after rounding) and a top-1, with rows that compute a fixed count.
import type { RowDefinition, TableDefinition } from '../../repro/definition.js';

export function toyTable(countUnit: string, rows: RowDefinition[]): TableDefinition {
  return {
    id: 'toy', title: 'Toy table', source: { paper: 'PiX', table: 'none', doc: 'docs/methods/pix.md §8' }, tiers: ['quick', 'small'],
    metrics: [
      { key: 'count', label: 'count', unit: countUnit, decimals: 0, tolerance: { printed: { rule: 'round', decimals: 0 } } },
      { key: 'top1', label: 'top-1', unit: '%', decimals: 2 },
    ],
    rows,
  };
}

/** A row computing `count` (after `before`, which may count calls or throw) against the paper's `paper`. */
export function countRow(id: string, label: string, config: Record<string, unknown>, count: number, paper: number,
  before: () => void = () => {}): RowDefinition {
  return {
    id, label, config, metrics: ['count'], paper: { count: { value: paper, printed: String(paper) } },
    async compute() {
      before();
      return { count };
    },
  };
}
