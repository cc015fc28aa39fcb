// What a table's result says, in sentences computed from its cells: the verdict of every paired Δ cell with its
// interval, the count of cells within the paper's numbers, and the table's own reading (e.g. the frontier's). Shown in
// the Markdown rendering and in the table notebooks; never typed by hand.
import type { Metric, TableDefinition, Tier } from './definition.js';
import { resultValues } from './paired.js';
import type { Cell } from './render.js';
import type { ResultFile } from './results.js';

function fixed(v: number, decimals: number): string {
  return `${v > 0 ? '+' : ''}${v.toFixed(decimals)}`;
}

function deltaSentence(c: Cell, m: Metric, table: TableDefinition): string {
  const unit = m.unit ? ` ${m.unit}` : '';
  const a = c.reproduced!;
  const ci = c.ci95 ? `95 % CI [${fixed(c.ci95[0], m.decimals)}, ${fixed(c.ci95[1], m.decimals)}]` : 'no interval (one seed)';
  const row = table.rows.find((r) => r.id === c.row)!;
  const paperValue = row.paper?.[c.metric];
  const claim = row.claims?.[c.metric];
  const against = paperValue ? `; the paper's Δ is ${paperValue.printed}` : claim ? `; the paper's claim: ${claim.text}` : '';
  return `${c.label} (\`${c.row}\`): ${m.label} ${fixed(a.mean, m.decimals)}${unit} against ${c.paired!.reference}, ${ci} over ${a.n} paired seed(s) — **${c.verdict}**${against}.`;
}

function count(items: readonly string[]): string {
  const n = new Map<string, number>();
  for (const i of items) n.set(i, (n.get(i) ?? 0) + 1);
  return [...n].map(([k, v]) => `${v} ${k}`).join(', ');
}

/** Sentences on the result of `table` at `tier` (none when nothing has run). */
export function tableReading(table: TableDefinition, tier: Tier, file: ResultFile | null, cells: readonly Cell[]): string[] {
  if (!file) return [];
  const metric = new Map(table.metrics.map((m) => [m.key, m]));
  const out: string[] = [];
  const deltas = cells.filter((c) => c.paired && c.reproduced);
  if (deltas.length) {
    out.push(`Paired Δ cells (the per-seed differences against the reference at the same seed; 95 % t-interval): ${count(deltas.map((c) => c.verdict!))}. ` +
      '"confirmed" / "contradicted": the interval excludes 0 on the side of the paper\'s Δ / on the other side; "not resolved": it holds 0.');
    for (const c of deltas) out.push(deltaSentence(c, metric.get(c.metric)!, table));
  }
  const targets = cells.filter((c) => c.target && c.reproduced);
  if (targets.length) out.push(`Against the paper's numbers at this tier: ${count(targets.map((c) => c.status))} (of ${targets.length} cells with a target).`);
  return [...out, ...(table.reading?.(tier, resultValues(file)) ?? [])];
}
