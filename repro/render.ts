// From a result file to cells (paper / reproduced / 95 % CI / Δ / status / verdict) and Markdown. A cell without a
// run is "not run". A paired Δ cell (definition.ts `PairedDelta`) holds the mean of its per-seed differences.
import type { Aggregate, Metric, RowDefinition, TableDefinition, Tier } from './definition.js';
import { rowTiers } from './definition.js';
import { resultValues } from './paired.js';
import { tableReading } from './reading.js';
import type { ResultFile } from './results.js';
import { aggregate, cellStatus, meanInterval, verdict, type Status, type Verdict } from './status.js';

export interface Cell {
  row: string;
  label: string;
  metric: string;
  /** The paper's number as printed, or null. */
  paper: string | null;
  /** The paper's number is the target at this tier (else shown for reference only). */
  target: boolean;
  reproduced: Aggregate | null;
  /**
   * 95 % confidence interval of the reproduced mean (t-distribution over the seeds, or over the per-seed differences
   * of a paired Δ cell); null for a single value or a once-computed one.
   */
  ci95: [number, number] | null;
  /** reproduced − paper (the cell's status); null without a target. */
  delta: number | null;
  status: Status;
  /** Paired Δ cells: the reference, and the seeds with their differences; null for other cells. */
  paired: { reference: string; seeds: number[]; differences: number[] } | null;
  /** Paired Δ cells: what the interval says against the paper's direction (status.ts `verdict`); null for other cells. */
  verdict: Verdict | null;
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
  return resultValues(file).value(row, metric);
}

/** The sign of the paper's Δ for a paired cell: its printed number, else the direction it claims; null: neither. */
function paperSign(row: RowDefinition, key: string): number | null {
  const printed = row.paper?.[key]?.value;
  return printed !== undefined ? Math.sign(printed) : row.claims?.[key]?.sign ?? null;
}

export function buildCells(table: TableDefinition, tier: Tier, file: ResultFile | null): Cell[] {
  const values = resultValues(file);
  const derived = new Map((table.derived ?? []).map((d) => [d.key, d]));
  const pairedBy = new Map((table.paired ?? []).map((d) => [d.key, d]));
  const get = (row: string, metric: string): Aggregate | null => {
    const d = derived.get(metric);
    return d ? d.derive(row, get) : values.value(row, metric);
  };
  const cells: Cell[] = [];
  for (const row of rowsAtTier(table, tier)) {
    for (const m of metricsAtTier(table, tier)) {
      if (row.metrics && !row.metrics.includes(m.key)) continue;
      const pd = pairedBy.get(m.key);
      const reference = pd?.reference(row.id) ?? null;
      if (pd && reference === null) continue;
      const paper = row.paper?.[m.key];
      const target = !!paper && (!m.paperTiers || m.paperTiers.includes(tier));
      let reproduced: Aggregate | null = null;
      let ci95: [number, number] | null = null;
      let paired: Cell['paired'] = null;
      if (row.pending) {
        // a row whose method has not landed shows "not run"
      } else if (pd) {
        const diffs = [...pd.differences(row.id, values)].sort((a, b) => a[0] - b[0]);
        const d = diffs.map(([, v]) => v);
        reproduced = aggregate(d);
        ci95 = meanInterval(d);
        paired = { reference: reference!, seeds: diffs.map(([s]) => s), differences: d };
      } else {
        reproduced = get(row.id, m.key);
        const computed = file?.rows[row.id]?.computed?.metrics[m.key] !== undefined;
        ci95 = derived.has(m.key) || computed ? null : meanInterval([...values.seeds(row.id, m.key).values()]);
      }
      const s = cellStatus(reproduced, target ? paper : undefined, row.tolerance?.[m.key] ?? m.tolerance);
      const claim = pd ? row.claims?.[m.key] : undefined;
      cells.push({
        row: row.id, label: row.label, metric: m.key, paper: paper ? paper.printed : null, target, reproduced, ci95, delta: s.delta,
        status: s.status, paired, verdict: pd && reproduced ? verdict(ci95, paperSign(row, m.key)) : null,
        note: row.pending ?? ([paper?.note, claim ? `claim: ${claim.text}` : undefined].filter(Boolean).join('; ') || null),
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

/** A signed number at the metric's decimals (+0.36, −1.20). */
export function signed(v: number, decimals: number): string {
  return `${v > 0 ? '+' : ''}${num(v, decimals)}`;
}

export function formatInterval(ci: readonly [number, number] | null, m: Pick<Metric, 'decimals'>): string {
  return ci ? `[${num(ci[0], m.decimals)}, ${num(ci[1], m.decimals)}]` : '—';
}

export function cellsMarkdown(table: TableDefinition, cells: readonly Cell[]): string {
  const metric = new Map(table.metrics.map((m) => [m.key, m]));
  const lines = ['| row | metric | paper | reproduced | 95 % CI | Δ | status | verdict | note |', '|---|---|---|---|---|---|---|---|---|'];
  for (const c of cells) {
    const m = metric.get(c.metric)!;
    const unit = m.unit ? ` (${m.unit})` : '';
    const paper = c.paper === null ? '—' : c.target ? c.paper : `(${c.paper})`;
    const delta = c.delta === null ? '—' : signed(c.delta, m.decimals);
    const ref = c.paired ? ` vs ${c.paired.reference}` : '';
    lines.push(`| ${c.label} \`${c.row}\` | ${m.label}${unit}${ref} | ${paper} | ${formatReproduced(c.reproduced, m)} | ${formatInterval(c.ci95, m)} | ` +
      `${delta} | ${c.status} | ${c.verdict ?? '—'} | ${c.note ?? ''} |`);
  }
  return lines.join('\n');
}

function readingMarkdown(sentences: readonly string[]): string[] {
  return sentences.length ? ['Reading:', '', ...sentences.map((l) => `- ${l}`), ''] : [];
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
    `Cells: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}. "(x)" = the paper's number for reference (another dataset or setting), not a target. ` +
      '95 % CI: t-interval of the mean over seeds (of the per-seed differences for a Δ cell paired by seed).',
    '',
    ...readingMarkdown(tableReading(table, tier, file, cells)),
    cellsMarkdown(table, cells),
  ];
  const notes = [...(table.notes ?? []), ...extra];
  if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
  return lines.join('\n') + '\n';
}
