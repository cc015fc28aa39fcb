// PiX supplement Table 1: FLOPs and memory of SE, CBAM, FBS and PiX at C = 512 (docs/methods/pix.md §8.1).
// Exact: the supplement's formulas evaluated now; FLOPs are compared truncated to the printed decimals (the paper's
// rule: rounding would break 12.8, 9.6, 1.8, 0.6 and .837), memory = fp32 bytes / 10⁶ to the printed 6 decimals.
import { cbamFormula, fbsFormula, pixFormula, seFormula } from '../../src/flops/formulas.js';
import type { RowDefinition, TableDefinition } from '../definition.js';
import { printedDecimals } from '../status.js';

type SuppMethod = 'SE' | 'CBAM' | 'FBS' | 'PiX';
const METHODS: readonly SuppMethod[] = ['SE', 'CBAM', 'FBS', 'PiX'];

/** The printed cells, one line per feature-map size: per method [FLOPs in M, memory in MB], as printed. */
const PRINTED: ReadonlyArray<[size: number, cells: Record<SuppMethod, [flopsM: string, memoryMB: string]>]> = [
  [112, { SE: ['12.8', '25.694336'], CBAM: ['38.6', '51.639424'], FBS: ['45.2', '51.384320'], PiX: ['6.6', '25.694208'] }],
  [56, { SE: ['3.2', '6.426752'], CBAM: ['9.6', '12.916096'], FBS: ['11.5', '12.849152'], PiX: ['1.8', '6.426624'] }],
  [28, { SE: ['.837', '1.609856'], CBAM: ['2.4', '3.235264'], FBS: ['3.0', '3.215360'], PiX: ['0.6', '1.609728'] }],
];

/** PiX supplement Table 1 as printed: FLOPs in M, memory in MB (fp32 bytes / 10⁶), C = 512; sizes 112, 56, 28, each SE, CBAM, FBS, PiX. */
export const PAPER_SUPP_TABLE1: ReadonlyArray<{ size: number; method: SuppMethod; flopsM: string; memoryMB: string }> =
  PRINTED.flatMap(([size, cells]) => METHODS.map((method) => ({ size, method, flopsM: cells[method][0], memoryMB: cells[method][1] })));

const C = 512;
/** FBS's k is not printed; every printed FBS cell holds for k ∈ [0, 53] (k = 0 here). */
const FBS_K = 0;

/** The supplement's formula of a Table 1 row at C × size² (FBS with `k`; the PiX rows are the ζ = 1 case). */
export function suppTable1Formula(method: string, size: number, k = FBS_K, channels = C) {
  const x = { C: channels, H: size, W: size };
  if (method === 'SE') return seFormula(x);
  if (method === 'CBAM') return cbamFormula(x);
  if (method === 'FBS') return fbsFormula({ ...x, k });
  return pixFormula({ ...x, zeta: 1 });
}

const rows: RowDefinition[] = PAPER_SUPP_TABLE1.map((p) => ({
  id: `${p.method.toLowerCase()}-${p.size}`,
  label: `${p.method}${p.method === 'PiX' ? ' (ζ=1)' : p.method === 'FBS' ? ` (k=${FBS_K})` : ''} at ${C}×${p.size}²`,
  config: { method: p.method, C, H: p.size, W: p.size, ...(p.method === 'FBS' ? { k: FBS_K } : {}), ...(p.method === 'PiX' ? { zeta: 1 } : {}) },
  paper: {
    flops: { value: Number(p.flopsM), printed: p.flopsM },
    memory: { value: Number(p.memoryMB), printed: p.memoryMB },
  },
  tolerance: {
    flops: { printed: { rule: 'trunc', decimals: printedDecimals(p.flopsM) } },
    memory: { printed: { rule: 'round', decimals: printedDecimals(p.memoryMB) } },
  },
  async compute() {
    const f = suppTable1Formula(p.method, p.size);
    return { flops: f.flops / 1e6, memory: (4 * f.memoryElements) / 1e6 };
  },
}));

export const pixSuppTable1: TableDefinition = {
  id: 'pix-supp-table1', tiers: ['quick', 'small', 'full'],
  title: 'PiX supplement Table 1: module overhead at C = 512',
  source: { paper: 'PiX', table: 'supplement Table 1', doc: 'docs/methods/pix.md §8.1' },
  metrics: [{ key: 'flops', label: 'FLOPs', unit: 'M', decimals: 3 }, { key: 'memory', label: 'memory', unit: 'MB', decimals: 6 }],
  rows,
  notes: [
    'FLOPs are compared truncated to the printed decimals (the paper truncates); Δ is at that precision.',
    'Memory is fp32 bytes / 10⁶ (decimal MB); every printed cell matches to the byte.',
    'The PiX rows are the ζ = 1 case, and the PiX formula leaves out the multiplication by p (docs/methods/pix.md §8.1).',
  ],
};
