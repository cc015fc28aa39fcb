// A user's run of a table against the committed reference (repro/results/<tier>/<table>.json): per cell the paper's
// number, the reference, the user's value and whether they agree within the cell's rerun tolerance (the metric's
// `agreement`, else the cell's tolerance, else the displayed precision). Printed by `chanlab repro` (`npm run quick`)
// after every run that does not write the reference itself.
import type { Aggregate, Metric, TableDefinition, Tier, Tolerance } from './definition.js';
import { buildCells, formatReproduced, type Cell } from './render.js';
import type { ResultFile } from './results.js';
import { cellStatus, printedValue } from './status.js';

/** The directory of the committed results: the reference a run is compared with. */
export const REFERENCE_DIR = 'repro/results';

export type Agreement = 'agrees' | 'differs' | 'machine-dependent' | 'no reference' | 'not run';

export interface CellComparison {
  row: string;
  label: string;
  metric: string;
  /** The paper's number as printed (in parentheses when not a target at this tier), or null. */
  paper: string | null;
  reference: Aggregate | null;
  yours: Aggregate | null;
  agreement: Agreement;
}

/** The tolerance a rerun must meet against the reference, or 'machine' for machine-dependent cells. */
export function agreementTolerance(table: TableDefinition, row: string, m: Metric): Tolerance | 'machine' {
  if (m.agreement) return m.agreement;
  return table.rows.find((r) => r.id === row)?.tolerance?.[m.key] ?? m.tolerance ?? { printed: { rule: 'round', decimals: m.decimals } };
}

function agreementOf(yours: Aggregate | null, reference: Aggregate | null, tolerance: Tolerance | 'machine'): Agreement {
  if (!yours) return 'not run';
  if (tolerance === 'machine') return 'machine-dependent';
  if (!reference) return 'no reference';
  // the reference as the target: a printed-precision rule compares both at that precision
  const target = tolerance.printed ? printedValue(reference.mean, tolerance.printed.rule, tolerance.printed.decimals) : reference.mean;
  const widened: Tolerance = tolerance.spread !== undefined ? { ...tolerance, spread: undefined, abs: Math.max(tolerance.abs ?? 0, tolerance.spread * Math.max(reference.std, yours.std)) } : tolerance;
  return cellStatus(yours, { value: target, printed: String(target) }, widened).status === 'within' ? 'agrees' : 'differs';
}

/** Every cell of `table` at `tier`: the paper, the reference, the user's value and their agreement. */
export function compareResults(table: TableDefinition, tier: Tier, yours: ResultFile | null, reference: ResultFile | null): CellComparison[] {
  const ref = new Map(buildCells(table, tier, reference).map((c) => [`${c.row}/${c.metric}`, c]));
  const metric = new Map(table.metrics.map((m) => [m.key, m]));
  return buildCells(table, tier, yours).map((c: Cell) => {
    const r = ref.get(`${c.row}/${c.metric}`)?.reproduced ?? null;
    return {
      row: c.row, label: c.label, metric: c.metric, paper: c.paper === null ? null : c.target ? c.paper : `(${c.paper})`,
      reference: r, yours: c.reproduced, agreement: agreementOf(c.reproduced, r, agreementTolerance(table, c.row, metric.get(c.metric)!)),
    };
  });
}

/** Counts of each agreement, e.g. "41 agrees, 6 machine-dependent". */
export function agreementSummary(comparisons: readonly CellComparison[]): string {
  const n = new Map<Agreement, number>();
  for (const c of comparisons) n.set(c.agreement, (n.get(c.agreement) ?? 0) + 1);
  return [...n].map(([k, v]) => `${v} ${k}`).join(', ');
}

/** The comparison of one table as Markdown. */
export function comparisonMarkdown(table: TableDefinition, tier: Tier, comparisons: readonly CellComparison[], referencePath: string, yoursPath: string): string {
  const metric = new Map(table.metrics.map((m) => [m.key, m]));
  const lines = [
    `## ${table.id} (${tier}): your run against the committed reference`,
    '',
    `Yours: \`${yoursPath}\`; reference: \`${referencePath}\`. Cells: ${agreementSummary(comparisons)}.`,
    '',
    '| row | metric | paper | reference | yours | agrees |',
    '|---|---|---|---|---|---|',
  ];
  for (const c of comparisons) {
    const m = metric.get(c.metric)!;
    const unit = m.unit ? ` (${m.unit})` : '';
    const mark = c.agreement === 'agrees' ? 'yes' : c.agreement === 'differs' ? '**no**' : c.agreement;
    lines.push(`| ${c.label} \`${c.row}\` | ${m.label}${unit} | ${c.paper ?? '—'} | ${formatReproduced(c.reference, m)} | ${formatReproduced(c.yours, m)} | ${mark} |`);
  }
  return lines.join('\n') + '\n';
}
