// From a result file to cells (paper / reproduced / Δ / status) and Markdown. A cell without a run is "not run".
import type { Aggregate, Metric, RowDefinition, TableDefinition, Tier } from './definition.js';
import { rowTiers } from './definition.js';
import type { ResultFile } from './results.js';
import { aggregate, cellStatus, type Status } from './status.js';

export interface Cell {
  row: string;
  label: string;
  metric: string;
  /** The paper's number as printed, or null. */
  paper: string | null;
  /** The paper's number is the target at this tier (else shown for reference only). */
  target: boolean;
  reproduced: Aggregate | null;
  delta: number | null;
  status: Status;
  note: string | null;
}

export function rowsAtTier(table: TableDefinition, tier: Tier): RowDefinition[] {
  return table.rows.filter((r) => rowTiers(table, r).includes(tier));
}

export function metricsAtTier(table: TableDefinition, tier: Tier): Metric[] {
  return table.metrics.filter((m) => !m.tiers || m.tiers.includes(tier));
}

/** The aggregate of one metric of one row: the once-computed value, else the mean ± std over seeds. */
export function reproducedValue(file: ResultFile | null, row: string, metric: string): Aggregate | null {
  const r = file?.rows[row];
  if (!r) return null;
  const v = r.computed?.metrics[metric];
  if (v !== undefined) return aggregate([v]);
  return aggregate(r.seeds.map((s) => s.metrics[metric]).filter((x): x is number => x !== undefined));
}

export function buildCells(table: TableDefinition, tier: Tier, file: ResultFile | null): Cell[] {
  const derived = new Map((table.derived ?? []).map((d) => [d.key, d]));
  const get = (row: string, metric: string): Aggregate | null => {
    const d = derived.get(metric);
    return d ? d.derive(row, get) : reproducedValue(file, row, metric);
  };
  const cells: Cell[] = [];
  for (const row of rowsAtTier(table, tier)) {
    for (const m of metricsAtTier(table, tier)) {
      if (row.metrics && !row.metrics.includes(m.key)) continue;
      const paper = row.paper?.[m.key];
      const target = !!paper && (!m.paperTiers || m.paperTiers.includes(tier));
      const reproduced = row.pending ? null : get(row.id, m.key);
      const s = cellStatus(reproduced, target ? paper : undefined, row.tolerance?.[m.key] ?? m.tolerance);
      cells.push({
        row: row.id, label: row.label, metric: m.key, paper: paper ? paper.printed : null, target, reproduced, delta: s.delta,
        status: s.status, note: row.pending ?? paper?.note ?? null,
      });
    }
  }
  return cells;
}

function num(v: number, decimals: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function formatReproduced(a: Aggregate | null, m: Metric): string {
  if (!a) return 'not run';
  return a.n > 1 ? `${num(a.mean, m.decimals)} ± ${num(a.std, m.decimals)} (n=${a.n})` : num(a.mean, m.decimals);
}

export function cellsMarkdown(table: TableDefinition, cells: readonly Cell[]): string {
  const metric = new Map(table.metrics.map((m) => [m.key, m]));
  const lines = ['| row | metric | paper | reproduced | Δ | status | note |', '|---|---|---|---|---|---|---|'];
  for (const c of cells) {
    const m = metric.get(c.metric)!;
    const unit = m.unit ? ` (${m.unit})` : '';
    const paper = c.paper === null ? '—' : c.target ? c.paper : `(${c.paper})`;
    const delta = c.delta === null ? '—' : `${c.delta > 0 ? '+' : ''}${num(c.delta, m.decimals)}`;
    lines.push(`| ${c.label} \`${c.row}\` | ${m.label}${unit} | ${paper} | ${formatReproduced(c.reproduced, m)} | ${delta} | ${c.status} | ${c.note ?? ''} |`);
  }
  return lines.join('\n');
}

/** The whole Markdown page of a table at a tier. */
export function tableMarkdown(table: TableDefinition, tier: Tier, file: ResultFile | null, extra: readonly string[] = []): string {
  const cells = buildCells(table, tier, file);
  const counts = new Map<Status, number>();
  for (const c of cells) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
  const manifests = Object.values(file?.rows ?? {}).flatMap((r) => [r.computed?.manifest, ...r.seeds.map((s) => s.manifest)]).filter((m) => !!m);
  const wall = manifests.reduce((a, m) => a + (m!.wallSeconds ?? 0), 0);
  const first = manifests[0];
  const lines = [
    `# ${table.title} — tier ${tier}`,
    '',
    `Reproduces: ${table.source.paper} ${table.source.table} (${table.source.doc}).`,
    file ? `Code commit ${file.commit ?? 'unknown'}; updated ${file.updated}.` + (first
      ? ` ${first.backend.name} (${first.backend.detail}) on ${first.hardware.cpuModel} × ${first.hardware.cores}; ${wall.toFixed(1)} s of runs in total.`
      : '') : 'No result file: nothing has run at this tier.',
    '',
    `Cells: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}. "(x)" = the paper's number for reference (another dataset or setting), not a target.`,
    '',
    cellsMarkdown(table, cells),
  ];
  const notes = [...(table.notes ?? []), ...extra];
  if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
  return lines.join('\n') + '\n';
}
