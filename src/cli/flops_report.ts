// flopsReport(modelName, {input, convention, json}): the CLI's per-layer FLOP table for a registered model.
// convention 'all' prints one count column per convention (one forward pass).
import { createModel, getModelEntry } from '../zoo/index.js';
import { CONVENTION_INFO, CONVENTIONS, checkConvention, type Convention } from '../flops/conventions.js';
import { countFlopsMany, type FlopsResult } from '../flops/counter.js';
import type { Module } from '../nn/module.js';
import { table, type Align } from '../core/table.js';

export interface FlopsReportOptions {
  /** Square input side; default the model's defaultInputSize (224 for ImageNet models). */
  input?: number;
  batch?: number;
  convention?: Convention | 'all';
  json?: boolean;
  /** Registry config overrides (e.g. {numClasses: 10}). */
  overrides?: Record<string, unknown>;
  /** An already built model to count instead of creating `modelName` (e.g. a compact CHEX checkpoint); disposed. */
  module?: Module;
  /** the backend the counting forward pass ran on (named in the table's title) */
  backend?: string;
}

export interface FlopsReportJson {
  model: string;
  inputShape: number[];
  results: Record<string, FlopsResult>;
}

const fmt = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 1 }));
const human = (v: number) => (v >= 1e9 ? `${(v / 1e9).toFixed(3)} G` : `${(v / 1e6).toFixed(3)} M`);

export async function flopsReport(modelName: string, opts: FlopsReportOptions & { json: true }): Promise<FlopsReportJson>;
export async function flopsReport(modelName: string, opts?: FlopsReportOptions): Promise<string>;
export async function flopsReport(modelName: string, opts: FlopsReportOptions = {}): Promise<string | FlopsReportJson> {
  const entry = getModelEntry(modelName);
  const conv = opts.convention ?? 'ptflops';
  const conventions: Convention[] = conv === 'all' ? [...CONVENTIONS] : [checkConvention(conv, 'flopsReport: convention')];
  const side = opts.input ?? entry.defaultInputSize;
  const batch = opts.batch ?? 1;
  if (!Number.isInteger(side) || side <= 0) throw new Error(`flopsReport: input must be a positive integer, got ${side}`);
  const model = opts.module ?? createModel(modelName, (opts.overrides ?? {}) as never);
  const inC = (entry.defaultConfig.inChannels as number | undefined) ?? 3;
  const inputShape = [batch, side, side, (opts.overrides?.inChannels as number | undefined) ?? inC];
  let results: Map<Convention, FlopsResult>;
  try {
    results = await countFlopsMany(model, conventions, { inputShape });
  } finally {
    model.dispose();
  }
  if (opts.json) return { model: modelName, inputShape, results: Object.fromEntries(results) };
  return formatReport(modelName, inputShape, conventions, results, opts.backend);
}

function formatReport(name: string, inputShape: number[], cs: Convention[], results: Map<Convention, FlopsResult>, backend?: string): string {
  const first = results.get(cs[0]!)!;
  const head = ['layer', 'type', 'input', 'output', 'params', ...cs.map((c) => (cs.length === 1 ? `${c} count` : c)), ...(cs.length === 1 ? ['%'] : [])];
  const body = first.rows.map((r, i) => [
    r.name, r.type, r.inputShape.join('×'), r.outputShape.join('×'), fmt(r.params),
    ...cs.map((c) => fmt(results.get(c)!.rows[i]!.macs)),
    ...(cs.length === 1 ? [first.totals.macs > 0 ? ((100 * r.macs) / first.totals.macs).toFixed(2) : '0'] : []),
  ]);
  const total = ['total', '', inputShape.join('×'), '', fmt(first.totals.params), ...cs.map((c) => fmt(results.get(c)!.totals.macs)), ...(cs.length === 1 ? ['100'] : [])];
  const align = head.map((_, i): Align => (i >= 4 ? 'right' : 'left'));
  const out = [`FLOPs of ${name}, input ${inputShape.join('×')} (NHWC)${backend ? `, counted on ${backend}` : ''}`, table(head, [...body, total], { align }), ''];
  for (const c of cs) {
    const r = results.get(c)!;
    out.push(`${c}: ${human(r.totals.flops)}FLOPs — ${CONVENTION_INFO[c].definition}${r.uncounted.length ? `; uncounted kernels: ${r.uncounted.join(', ')}` : ''}`);
  }
  out.push(`params: ${fmt(first.totals.params)} (${(first.totals.params / 1e6).toFixed(3)} M)`);
  return out.join('\n');
}
