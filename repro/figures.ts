// The figures of a reproduction table at a tier, from its cells (render.ts): one bar panel per metric with the
// paper's target numbers next to the reproduced mean and its 95 % confidence interval (a paired Δ bar is labelled with
// its verdict; a row that has not run is labelled "(not run)"), and the table's scatter pairs (e.g. top-1 against
// FLOPs) with their intervals, the rows of one series joined into a curve. Used by the table notebooks (notebook.ts)
// and by `chanlab plot` on a result file (reproResultFigures).
import { tradeoffScatter, type BarRow, type TradeoffPoint } from '../src/viz/plot/charts.js';
import { axis } from '../src/viz/plot/figure.js';
import { barPanels, type BarPanel } from '../src/viz/plot/panels.js';
import type { NamedFigure, ResultFigures } from '../src/viz/plot/result_figures.js';
import { findTable, TIERS, type Metric, type TableDefinition, type Tier } from './definition.js';
import { TABLES } from './definitions/index.js';
import { buildCells, metricsAtTier, type Cell } from './render.js';
import { parseResult, RESULT_SCHEMA, type ResultFile } from './results.js';

/** A row's label on an axis: its label when short, else its id. */
function axisLabel(c: Pick<Cell, 'label' | 'row'>): string {
  return c.label.length <= 32 ? c.label : c.row;
}

function metricTitle(m: Metric): string {
  return m.unit ? `${m.label} (${m.unit})` : m.label;
}

function panelOf(table: TableDefinition, m: Metric, cells: readonly Cell[]): BarPanel | null {
  const bars: BarRow[] = [];
  for (const c of cells) {
    if (c.metric !== m.key) continue;
    const paper = c.target ? table.rows.find((r) => r.id === c.row)?.paper?.[m.key]?.value : undefined;
    const r = c.reproduced;
    if (paper === undefined && !r) continue;
    const label = axisLabel(c) + (r ? '' : ' (not run)');
    if (paper !== undefined) bars.push({ label, value: paper, series: 'paper' });
    const text = c.verdict ? `${r ? r.mean.toFixed(m.decimals) : ''} ${c.verdict}` : undefined;
    if (r) bars.push({ label, value: r.mean, ...(c.ci95 ? { error: halfWidth(c.ci95) } : {}), series: 'reproduced', ...(text ? { text } : {}) });
  }
  if (bars.length === 0) return null;
  const values = bars.map((b) => b.value);
  const logY = values.every((v) => v > 0) && Math.max(...values) / Math.min(...values) > 100;
  return { title: metricTitle(m), yTitle: m.unit, rows: bars, logY };
}

const halfWidth = (ci: readonly [number, number]) => (ci[1] - ci[0]) / 2;

function scatterOf(table: TableDefinition, tier: Tier, cells: readonly Cell[], pair: { x: string; y: string }): NamedFigure | null {
  const metric = (key: string) => {
    const m = table.metrics.find((x) => x.key === key);
    if (!m) throw new Error(`${table.id}.scatter: unknown metric '${key}' (metrics: ${table.metrics.map((x) => x.key).join(', ')})`);
    return m;
  };
  const mx = metric(pair.x), my = metric(pair.y);
  const cell = (row: string, key: string) => cells.find((c) => c.row === row && c.metric === key);
  const series = new Map(table.rows.map((r) => [r.id, r.series]));
  const points: TradeoffPoint[] = [...new Set(cells.map((c) => c.row))].flatMap((row) => {
    const cx = cell(row, mx.key), cy = cell(row, my.key);
    const x = cx?.reproduced?.mean, y = cy?.reproduced?.mean;
    const label = axisLabel(cells.find((c) => c.row === row)!);
    if (x === undefined || y === undefined) return [];
    return [{ label, x, y, group: series.get(row) ?? label, ...(cx!.ci95 ? { xError: halfWidth(cx!.ci95) } : {}), ...(cy!.ci95 ? { yError: halfWidth(cy!.ci95) } : {}) }];
  });
  if (points.length === 0) return null;
  const lines = table.rows.some((r) => r.series !== undefined);
  const fig = tradeoffScatter(points, `${table.id} (${tier} tier): ${my.label} vs ${mx.label} (bars: 95 % CI over seeds)`, metricTitle(mx), { lines });
  fig.layout.yaxis = axis(metricTitle(my));
  return { name: `${table.id}-${my.key}-vs-${mx.key}`, figure: fig };
}

/** Figures of `table` at `tier` from a result file (null: nothing has run; the paper's targets alone are drawn). */
export function tableFigures(table: TableDefinition, tier: Tier, file: ResultFile | null): NamedFigure[] {
  const cells = buildCells(table, tier, file);
  const out: NamedFigure[] = [];
  for (const pair of table.scatter ?? []) {
    const f = scatterOf(table, tier, cells, pair);
    if (f) out.push(f);
  }
  const panels = metricsAtTier(table, tier).flatMap((m) => panelOf(table, m, cells) ?? []);
  if (panels.length) out.push({ name: `${table.id}-metrics`, figure: barPanels(panels, `${table.title} — ${tier} tier (bars: 95 % CI over seeds)`) });
  return out;
}

/**
 * Figures of a parsed result file of the suite (schema chanlab-repro/1, `path` for messages), the same as its table
 * notebook shows; null for any other JSON.
 */
export function reproResultFigures(parsed: unknown, path: string, tables: readonly TableDefinition[] = TABLES): ResultFigures | null {
  if (typeof parsed !== 'object' || parsed === null || (parsed as { schema?: unknown }).schema !== RESULT_SCHEMA) return null;
  const { table: id, tier } = parsed as { table?: unknown; tier?: unknown };
  const table = findTable(String(id), tables);
  if (!(TIERS as readonly unknown[]).includes(tier)) throw new Error(`${path}: tier must be one of ${TIERS.join(', ')}, got ${JSON.stringify(tier)}`);
  const file = parseResult(JSON.stringify(parsed), path, table.id, tier as Tier);
  const figures = tableFigures(table, tier as Tier, file);
  return { figures, notes: figures.length ? [] : [`${table.id} (${tier}): nothing to plot (no row has run and no paper number)`] };
}
