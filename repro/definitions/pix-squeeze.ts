// PiX supplement section E: the squeeze layer on X ∈ ℝ^{12×5×5}, ζ = 4 (docs/methods/pix.md §8.2). Exact counts from
// the supplement's formulas; the printed totals 523 (PiX) and 748 (w-PiX) do not equal the sums of their own printed
// terms, so those two cells are "above" by design, with the reason in the note.
import { squeezeExample } from '../../src/flops/formulas.js';
import type { RowDefinition, TableDefinition } from '../definition.js';

/**
 * The supplement's printed numbers (section E, docs/methods/pix.md §8.2): every term and total; the PiX sentence
 * states 811 first, then 523.
 */
export const PIX_SQUEEZE_PRINTED = {
  baselineConv: 900, baselineBn: 300, baselineRelu: 75, baseline: 1275,
  pixGap: 300, pixConv: 36, pixSigmoid: 12, pixFusion: 225, pixFirst: 811, pix: 523, wpix: 748,
} as const;
const P = PIX_SQUEEZE_PRINTED;

const exact = { flops: { printed: { rule: 'round' as const, decimals: 0 } } };

function row(id: string, label: string, printed: number, get: () => number, note?: string): RowDefinition {
  return {
    id, label, config: { C: 12, H: 5, W: 5, zeta: 4, term: id },
    paper: { flops: { value: printed, printed: String(printed), ...(note ? { note } : {}) } },
    tolerance: exact,
    async compute() {
      return { flops: get() };
    },
  };
}

const ex = () => squeezeExample();

export const pixSqueeze: TableDefinition = {
  id: 'pix-squeeze', tiers: ['quick', 'small', 'full'],
  title: 'PiX supplement section E: squeeze layer on X ∈ ℝ^{12×5×5}, ζ = 4',
  source: { paper: 'PiX', table: 'supplement section E (worked example)', doc: 'docs/methods/pix.md §8.2' },
  metrics: [{ key: 'flops', label: 'FLOPs', unit: '', decimals: 0 }],
  rows: [
    row('baseline-conv', 'baseline 1×1 conv', P.baselineConv, () => ex().baseline.parts.conv!),
    row('baseline-bn', 'baseline BN', P.baselineBn, () => ex().baseline.parts.bn!),
    row('baseline-relu', 'baseline ReLU', P.baselineRelu, () => ex().baseline.parts.relu!),
    row('baseline', 'baseline total', P.baseline, () => ex().baseline.flops),
    row('pix-gap', 'PiX global pooling', P.pixGap, () => ex().pix.parts.gap!),
    row('pix-conv', 'PiX 1×1 conv', P.pixConv, () => ex().pix.parts.conv!),
    row('pix-sigmoid', 'PiX sigmoid', P.pixSigmoid, () => ex().pix.parts.sigmoid!),
    row('pix-fusion', 'PiX channel sampling', P.pixFusion, () => ex().pix.parts.fusion!),
    row('pix', 'PiX total', P.pix, () => ex().pix.flops,
      'paper slip: the text prints 811, then 523; its four printed terms sum to 573'),
    row('w-pix', 'w-PiX total', P.wpix, () => ex().wpix.flops, 'paper slip: 748 = 523 + 225 (one more fusion pass) from the slipped 523'),
    row('w-pix-extra', 'w-PiX − PiX (one more fusion pass)', P.wpix - P.pix, () => ex().wpix.flops - ex().pix.flops),
  ],
  notes: ['The p-multiplication is not counted by the supplement (with it PiX costs 648).'],
};
