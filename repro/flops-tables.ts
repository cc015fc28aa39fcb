// The FLOP tables of `chanlab flops --tables`, as data plus a generator. Every computed cell comes from the formulas
// (formulas.ts) or from the FLOP counter on the real registered models (built with withoutInit: no random draws, zero
// weights, which the counts do not depend on); the papers' printed numbers are read from the table definitions
// (repro/definitions/, their one place) into the `paper*` columns (strings, exactly as printed), and the `match`
// columns compare the computed value, reduced to the printed precision by the paper's own rule (truncation for
// supplement Table 1 FLOPs and PiX params, rounding for PiX FLOPs), with the printed value.
// A row whose model is not registered says so and leaves its computed cells empty; any other error propagates.
// The caller selects a backend (useBackend) first.
import type { Module } from '../src/nn/module.js';
import { withoutInit } from '../src/nn/init.js';
import { createModel, hasModel } from '../src/zoo/index.js';
import type { Convention } from '../src/flops/conventions.js';
import { captureGraph, priceGraph, type CapturedGraph } from '../src/flops/counter.js';
import { fbsFormula, squeezeExample } from '../src/flops/formulas.js';
import { CHEX_BASELINE_MACS, CHEX_CHECKPOINTS } from '../src/methods/chex/table.js';
import { CHEX_BASELINES } from './definitions/chex-checkpoints.js';
import { PAPER_DGC } from './definitions/dgc-models.js';
import { PAPER_SUPP_TABLE1, suppTable1Formula } from './definitions/pix-supp-table1.js';
import { PIX_SQUEEZE_PRINTED } from './definitions/pix-squeeze.js';
import { PIX_TABLE1 } from './definitions/pix-table1.js';
import { printedDecimals } from './status.js';
import { table } from '../src/core/table.js';

export type Cell = string | number | boolean | null;
export interface ReproTable {
  id: string;
  title: string;
  /** Where the printed numbers and the method come from. */
  source: string;
  columns: string[];
  rows: Array<Record<string, Cell>>;
  notes: string[];
}

/** value/scale reduced to `d` decimals by `f` (Math.trunc or Math.round), in units of scale/10^d. */
function scaledTo(value: number, scale: number, d: number, f: (x: number) => number): number {
  return f(value / (scale / 10 ** d)) / 10 ** d;
}

/** value/scale truncated (toward zero) to `d` decimals (the supplement's Table 1 FLOPs, PiX params). */
export const truncateScaled = (value: number, scale: number, d: number): number => scaledTo(value, scale, d, Math.trunc);

/** value/scale rounded to `d` decimals (PiX main-table FLOPs, DGC counts). */
export const roundScaled = (value: number, scale: number, d: number): number => scaledTo(value, scale, d, Math.round);

// ---- supplement Table 1 -----------------------------------------------------------------------------------------

/** Supplement Table 1 (C = 512): formula FLOPs truncated to the printed decimals; memory bytes/10⁶ exact. */
export function supplementTable1(opts: { fbsK?: number } = {}): ReproTable {
  const C = 512;
  const k = opts.fbsK ?? 0;
  const rows = PAPER_SUPP_TABLE1.map((p) => {
    const f = suppTable1Formula(p.method, p.size, k, C);
    const d = printedDecimals(p.flopsM);
    const flopsM = truncateScaled(f.flops, 1e6, d);
    const bytes = 4 * f.memoryElements;
    return {
      size: `${C}×${p.size}²`, method: p.method === 'PiX' ? 'PiX (ζ=1)' : p.method === 'FBS' ? `FBS (k=${k})` : p.method,
      flops: f.flops, flopsM_truncated: flopsM.toFixed(d), paper_flopsM: p.flopsM, flops_match: flopsM === Number(p.flopsM),
      memory_bytes: bytes, memoryMB: (bytes / 1e6).toFixed(6), paper_memoryMB: p.memoryMB, memory_match: bytes / 1e6 === Number(p.memoryMB),
    };
  });
  const kRange = fbsConsistentK();
  return {
    id: 'pix-supp-table1', title: 'PiX supplement Table 1: module overhead at C = 512', source: 'docs/methods/pix.md §8.1',
    columns: ['size', 'method', 'flops', 'flopsM_truncated', 'paper_flopsM', 'flops_match', 'memory_bytes', 'memoryMB', 'paper_memoryMB', 'memory_match'],
    rows,
    notes: [
      'FLOPs are truncated (not rounded) to the printed decimals; rounding would break 12.8, 9.6, 1.8, 0.6 and .837.',
      'Memory = 4 bytes/element, printed as bytes/10⁶ (decimal MB); every memory cell matches to the byte.',
      'PiX rows are the ζ = 1 case; the formula omits the multiplication by p.',
      `FBS's k is not given; every printed FBS cell is reproduced for k in [${kRange[0]}, ${kRange[1]}].`,
    ],
  };
}

/** The range of FBS k for which all three printed FBS FLOP cells are reproduced. */
export function fbsConsistentK(C = 512): [number, number] {
  const ok = (k: number) => PAPER_SUPP_TABLE1.filter((p) => p.method === 'FBS')
    .every((p) => truncateScaled(fbsFormula({ C, H: p.size, W: p.size, k }).flops, 1e6, printedDecimals(p.flopsM)) === Number(p.flopsM));
  let lo = -1;
  let hi = -1;
  for (let k = 0; k <= C; k++) {
    if (ok(k)) {
      if (lo < 0) lo = k;
      hi = k;
    }
  }
  return [lo, hi];
}

// ---- squeeze example --------------------------------------------------------------------------------------------

export function squeezeExampleTable(): ReproTable {
  const ex = squeezeExample();
  const P = PIX_SQUEEZE_PRINTED;
  const printedPix = [P.pixFirst, P.pix] as const;
  const G = 3, HW = 25, zeta = 4;
  return {
    id: 'pix-supp-squeeze', title: 'PiX supplement section E: squeeze layer on X ∈ ℝ^{12×5×5}, ζ = 4', source: 'docs/methods/pix.md §8.2',
    columns: ['method', 'terms', 'computed', 'paper', 'match'],
    rows: [
      { method: 'baseline 1×1 conv + BN + ReLU', terms: Object.entries(ex.baseline.parts).map(([k, v]) => `${k} ${v}`).join(' + '), computed: ex.baseline.flops, paper: String(P.baseline), match: ex.baseline.flops === P.baseline },
      { method: 'PiX', terms: Object.entries(ex.pix.parts).map(([k, v]) => `${k} ${v}`).join(' + '), computed: ex.pix.flops, paper: printedPix.join(' / '), match: (printedPix as readonly number[]).includes(ex.pix.flops) },
      { method: 'PiX + uncounted p-multiplication', terms: `${ex.pix.flops} + ${G * HW}`, computed: ex.pixWithPMul, paper: null, match: null },
      { method: 'w-PiX (two fusion passes)', terms: `${ex.pix.flops} + ${(zeta - 1) * G * HW}`, computed: ex.wpix.flops, paper: String(P.wpix), match: ex.wpix.flops === P.wpix },
      { method: 'w-PiX − PiX as printed', terms: `${P.wpix} − ${P.pix}`, computed: (zeta - 1) * G * HW, paper: String(P.wpix - P.pix), match: (zeta - 1) * G * HW === P.wpix - P.pix },
    ],
    notes: [
      'The supplement states 811 and then 523 for PiX; its four listed terms sum to 573 (523 vs 573 looks like a digit typo).',
      'w-PiX printed 748 = 523 + 225, one extra fusion pass; from the listed terms it is 798 (blend ops not counted).',
    ],
  };
}

// ---- counting registered models ---------------------------------------------------------------------------------

/** Captured forward passes by model, input side and overrides, so tables sharing a model count it once. */
export type GraphCache = Map<string, CapturedGraph | null>;

/**
 * The captured forward pass of a registered model at [1, side, side, 3], or null when `name` is not registered.
 * `countZeros` false: dense baselines are priced as dense under CHEX's zero-fraction rule (the weights are zeros here).
 */
async function modelGraph(cache: GraphCache, name: string, side: number, overrides: Record<string, unknown> = {}): Promise<CapturedGraph | null> {
  const key = `${name}@${side}${JSON.stringify(overrides)}`;
  if (!cache.has(key)) cache.set(key, hasModel(name) ? await capture(name, side, overrides) : null);
  return cache.get(key)!;
}

async function capture(name: string, side: number, overrides: Record<string, unknown>): Promise<CapturedGraph> {
  const m: Module = withoutInit(() => createModel(name, overrides));
  try {
    return await captureGraph(m, { inputShape: [1, side, side, 3], countZeros: false });
  } finally {
    m.dispose();
  }
}

const notRegistered = (name: string) => `model ${name} not registered`;

// ---- PiX main table ---------------------------------------------------------------------------------------------

interface PixRowSpec {
  label: string;
  /** Registry name of the model counted. */
  model: string;
  paperParams: string;
  paperFlops: string;
  paperReduction?: string;
  baseline?: string;
}

/** The rows of this FLOP table (Table 1's E0–E3 pairs) and their labels here; the printed numbers are the definition's. */
const PIX_FLOP_ROWS: ReadonlyArray<{ id: string; label: string }> = [
  { id: 'e0-resnet50', label: 'ResNet-50' }, { id: 'e0-pix', label: 'ResNet-50 + PiX' },
  { id: 'e1-resnet101', label: 'ResNet-101' }, { id: 'e1-pix', label: 'ResNet-101 + PiX' },
  { id: 'e2-resnet152', label: 'ResNet-152' }, { id: 'e2-pix', label: 'ResNet-152 + PiX' },
  { id: 'e3-resnet50-z8', label: 'ResNet-50 (ζ=8, half inner width)' }, { id: 'e3-pix-z8', label: 'ResNet-50 + PiX (ζ=8)' },
];

const PIX_ROWS: PixRowSpec[] = PIX_FLOP_ROWS.map(({ id, label }) => {
  const p = PIX_TABLE1.find((x) => x.id === id)!;
  return {
    label, model: p.ref.model, paperParams: `${p.params}M`, paperFlops: `${p.flops}B`,
    ...(p.reduction ? { paperReduction: p.reduction } : {}), ...(p.baseline ? { baseline: PIX_FLOP_ROWS.find((x) => x.id === p.baseline)!.label } : {}),
  };
});

const MAIN_CONVENTIONS: Convention[] = ['macs', 'torchprofile', 'ptflops', 'pix-supplement'];

/**
 * PiX main-paper Table 1 FLOPs/params (docs/methods/pix.md §5.7, §8.5), counted on the registered models with one
 * forward pass each at 224². Paper rule: params truncated to 0.1 M, FLOPs = ptflops count rounded to 0.01 B.
 */
export async function pixMainTable(cache: GraphCache = new Map()): Promise<ReproTable> {
  const rows: Array<Record<string, Cell>> = [];
  const ptByLabel = new Map<string, number>();
  for (const r of PIX_ROWS) {
    const g = await modelGraph(cache, r.model, 224);
    const paper = { paper_params: r.paperParams, paper_flops: r.paperFlops, paper_reduction_pct: r.paperReduction ?? null };
    if (!g) {
      rows.push({ model: r.label, source: notRegistered(r.model), ...paper });
      continue;
    }
    const counts = Object.fromEntries(MAIN_CONVENTIONS.map((c) => [c, priceGraph(g, c).totals.macs]));
    const pt = counts.ptflops!;
    ptByLabel.set(r.label, pt);
    const paramsM = truncateScaled(g.params, 1e6, 1).toFixed(1) + 'M';
    const flopsB = roundScaled(pt, 1e9, 2).toFixed(2) + 'B';
    const base = r.baseline ? ptByLabel.get(r.baseline) ?? null : null;
    const paperBase = r.baseline ? PIX_ROWS.find((x) => x.label === r.baseline)!.paperFlops : null;
    rows.push({
      model: r.label, source: `model ${r.model}`, params: g.params, conv_fc_macs: counts.macs!, torchprofile: counts.torchprofile!, ptflops: pt,
      pix_supplement: counts['pix-supplement']!, params_printed: paramsM, params_match: paramsM === r.paperParams,
      flops_printed: flopsB, flops_match: flopsB === r.paperFlops,
      reduction_pct: base ? Number((100 * (1 - pt / base)).toFixed(2)) : null,
      reduction_from_paper_pct: paperBase ? Number((100 * (1 - parseFloat(r.paperFlops) / parseFloat(paperBase))).toFixed(2)) : null,
      ...paper,
    });
  }
  return {
    id: 'pix-main-table1', title: 'PiX main Table 1: params and FLOPs at 224² (batch 1)', source: 'docs/methods/pix.md §5.6–5.7, §8.5',
    columns: ['model', 'params', 'conv_fc_macs', 'torchprofile', 'ptflops', 'pix_supplement', 'params_printed', 'paper_params', 'params_match', 'flops_printed', 'paper_flops', 'flops_match', 'reduction_pct', 'reduction_from_paper_pct', 'paper_reduction_pct', 'source'],
    rows,
    notes: [
      'ptflops-style counts reproduce 7 of 8 printed FLOPs; PiX-ResNet-50 gives 3.19B where the paper prints 3.18B (⚠ docs/methods/pix.md §5.7).',
      'Printed params are truncated to 0.1M (25.557M → 25.5M, 60.19M → 60.1M).',
      'The paper\'s reductions follow from its own rounded FLOPs (23.06 printed 23.0, 24.86 printed 24.8: truncated).',
      'torchprofile (the code\'s own counter) skips the PiX op; pix-supplement is the supplement\'s Eqs. 1–6 applied network-wide.',
    ],
  };
}

// ---- CHEX baselines ---------------------------------------------------------------------------------------------

/** The dense baselines counted here (torchvision's ResNets) and their derived G-MACs (docs/methods/chex.md §6.3–6.4). */
const CHEX_BASELINE_COUNTS = CHEX_BASELINES.map((b) => ({ label: b.label, model: b.model.replace('chex_', ''), derived: (CHEX_BASELINE_MACS[b.model] / 1e9).toFixed(3) }));

/** The CHEX README's pruned-model rows (as printed) used for the derived reduction column (docs/methods/chex.md §8.1). */
export const PAPER_CHEX_README: ReadonlyArray<{ base: string; flops: string; reduction: string; top1: string }> =
  CHEX_CHECKPOINTS.map((r) => ({ base: r.label, flops: r.flops, reduction: r.reduction, top1: r.top1 }));

/** CHEX compute_flops baselines (G-MACs, conv + fc with bias, dense) of the registered ResNets, and README reductions. */
export async function chexBaselinesTable(cache: GraphCache = new Map()): Promise<ReproTable> {
  const base = new Map<string, number>();
  const rows: Array<Record<string, Cell>> = [];
  const noReadme = { readme_flops: null, readme_reduction_pct: null, derived_reduction_pct: null };
  for (const b of CHEX_BASELINE_COUNTS) {
    const g = await modelGraph(cache, b.model, 224);
    if (!g) {
      rows.push({ model: b.label, source: notRegistered(b.model), chex_macs: null, gflops: null, derived_gflops: b.derived, match: null, ...noReadme });
      continue;
    }
    const v = priceGraph(g, 'chex').totals.macs;
    base.set(b.label, v);
    const gf = (Math.round(v / 1e6) / 1e3).toFixed(3);
    rows.push({ model: b.label, source: `model ${b.model}`, chex_macs: v, gflops: gf, derived_gflops: b.derived, match: gf === b.derived, ...noReadme });
  }
  for (const r of PAPER_CHEX_README) {
    const f = base.get(r.base);
    rows.push({
      model: `${r.base} pruned (README)`, source: null, chex_macs: null, gflops: null, derived_gflops: null, match: null, readme_flops: `${r.flops} G`, readme_reduction_pct: r.reduction,
      derived_reduction_pct: f === undefined ? null : Number((100 * (1 - (Number(r.flops) * 1e9) / f)).toFixed(1)),
    });
  }
  return {
    id: 'chex-baselines', title: 'CHEX compute_flops baselines at 224² and README reductions', source: 'docs/methods/chex.md §6, §8.1',
    columns: ['model', 'chex_macs', 'gflops', 'derived_gflops', 'match', 'readme_flops', 'readme_reduction_pct', 'derived_reduction_pct', 'source'],
    rows,
    notes: ['compute_flops with multiply_adds=False: conv MACs × (1 − zero fraction) + fc in·out + out; BN/ReLU/pools not added. The baselines are dense (zero fraction 0).',
      'The baseline G values are derived (the README prints only pruned models); README rounding is loose.'],
  };
}

// ---- DGC --------------------------------------------------------------------------------------------------------

/** `value` in the printed number's unit (M or G) rounded to its decimals, with the unit appended. */
export function printedLike(value: number, printed: string): string {
  const unit = printed.slice(-1);
  const d = printedDecimals(printed.slice(0, -1));
  return roundScaled(value, unit === 'G' ? 1e9 : 1e6, d).toFixed(d) + unit;
}

/** DGC repository counts (measure_model rules, docs/methods/dgc.md §4) of the registered models. */
export async function dgcTable(cache: GraphCache = new Map()): Promise<ReproTable> {
  const rows: Array<Record<string, Cell>> = [];
  for (const r of PAPER_DGC) {
    const paper = { paper_flops: r.printedFlops, paper_params: r.printedParams || null, printed_in: r.printedFrom };
    const g = await modelGraph(cache, r.model, r.input, r.overrides);
    if (!g) {
      rows.push({ model: r.label, source: notRegistered(r.model), ...paper });
      continue;
    }
    const flops = priceGraph(g, 'dgc').totals.macs;
    const flopsPrinted = printedLike(flops, r.printedFlops);
    const paramsPrinted = r.printedParams ? printedLike(g.params, r.printedParams) : '';
    rows.push({
      model: r.label, source: `model ${r.model}`, dgc_flops: Math.round(flops * 10) / 10, params: g.params,
      flops_printed: flopsPrinted, flops_match: flopsPrinted === r.printedFlops, params_printed: paramsPrinted,
      params_match: r.printedParams ? paramsPrinted === r.printedParams : null, ...paper,
    });
  }
  return {
    id: 'dgc-counts', title: 'DGC repository FLOPs/params (measure_model rules, zero input)', source: 'docs/methods/dgc.md §4',
    columns: ['model', 'dgc_flops', 'params', 'flops_printed', 'paper_flops', 'flops_match', 'params_printed', 'paper_params', 'params_match', 'printed_in', 'source'],
    rows,
    notes: ['DGC layers are charged at the nominal gate factor. Printed values are rounded to the printed decimals.',
      'Rows whose model is not registered yet have no computed cells.'],
  };
}

// ---- all tables -------------------------------------------------------------------------------------------------

export async function generateTables(): Promise<ReproTable[]> {
  const cache: GraphCache = new Map();
  return [supplementTable1(), squeezeExampleTable(), await pixMainTable(cache), await chexBaselinesTable(cache), await dgcTable(cache)];
}

function cellText(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : String(v);
  return v;
}

/** A table as aligned text (title, columns, rows, notes). */
export function formatTable(t: ReproTable): string {
  const head = t.columns;
  const body = t.rows.map((r) => head.map((c) => cellText(r[c] ?? null)));
  return [`${t.title}  [${t.source}]`, table(head, body, { align: head.map(() => 'left') }),
    ...t.notes.map((n) => `  note: ${n}`)].join('\n');
}

export async function renderTables(): Promise<string> {
  return (await generateTables()).map(formatTable).join('\n\n');
}

/** Conventions that the PiX main table prints. */
export const PIX_TABLE_CONVENTIONS: readonly Convention[] = MAIN_CONVENTIONS;
