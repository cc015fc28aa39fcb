// A reproduction table in a notebook: run it at a tier into a scratch directory, or load its committed result, and
// show the paper-vs-reproduced table (Markdown) and its figures (inline Plotly + PNG). The table notebooks
// (notebooks/tables/<id>.ipynb, written by scripts/make-table-notebooks.ts) are one `showTable` call each.
import { join } from 'node:path';
import { useBackend } from '../src/backend/index.js';
import { showFigure, type Display } from '../src/viz/notebook.js';
import type { NamedFigure } from '../src/viz/plot/result_figures.js';
import { REFERENCE_DIR } from './compare.js';
import { findTable, TIERS, type TableDefinition, type Tier } from './definition.js';
import { TABLES } from './definitions/index.js';
import { tableFigures } from './figures.js';
import { tableMarkdown } from './render.js';
import { codeCommit, loadResult, type ResultFile } from './results.js';
import { runTables } from './runner.js';

export const TABLE_SOURCES = ['run', 'committed'] as const;
export type TableSource = (typeof TABLE_SOURCES)[number];

export interface TableViewOptions {
  /** Default $CHANLAB_TIER, else 'quick'. A table without that tier shows its lowest tier's committed result. */
  tier?: string;
  /**
   * 'run': run the table's missing rows now, into `scratchDir` (rows already there from the same code commit are
   * reused); 'committed': load `resultsDir`. Default $CHANLAB_TABLE_SOURCE, else 'run' at the quick tier and
   * 'committed' at small and full (those take hours: `chanlab repro` runs them).
   */
  source?: string;
  /** Committed results (default repro/results). */
  resultsDir?: string;
  /** Results and training runs of 'run' (default runs/notebooks/repro; never repro/results). */
  scratchDir?: string;
  /** Backend of 'run' (default $CHANLAB_BACKEND, else wasm). */
  backend?: string;
  /** Default: the suite's TABLES. */
  tables?: readonly TableDefinition[];
  /** Progress lines of 'run' (default console.log). */
  log?: (line: string) => void;
}

export interface TableView {
  table: TableDefinition;
  /** The tier shown (the requested one, or the table's lowest tier when it has no such tier). */
  tier: Tier;
  source: TableSource;
  /** Result file the numbers come from (null: nothing has run; every cell is "not run"). */
  path: string | null;
  file: ResultFile | null;
  /** Where the numbers come from, the table, its notes. */
  markdown: string;
  figures: NamedFigure[];
  /** Rows that failed in a 'run' (`row: message`). */
  failures: string[];
}

/** Runs or loads table `id` and renders it; never writes into repro/results. */
export async function tableView(id: string, o: TableViewOptions = {}): Promise<TableView> {
  const table = findTable(id, o.tables ?? TABLES);
  const askedName = o.tier ?? process.env.CHANLAB_TIER ?? 'quick';
  if (!(TIERS as readonly string[]).includes(askedName)) throw new Error(`tier (CHANLAB_TIER) must be one of ${TIERS.join(', ')}, got '${askedName}'`);
  const asked = askedName as Tier;
  const tier = table.tiers.includes(asked) ? asked : TIERS.find((t) => table.tiers.includes(t))!;
  const lines: string[] = [];
  if (tier !== asked) lines.push(`\`${id}\` has no ${asked} tier (its tiers: ${table.tiers.join(', ')}): showing its ${tier} tier, committed results only.`);
  const requested = o.source ?? process.env.CHANLAB_TABLE_SOURCE ?? (tier === 'quick' ? 'run' : 'committed');
  if (!(TABLE_SOURCES as readonly string[]).includes(requested)) {
    throw new Error(`source (CHANLAB_TABLE_SOURCE) must be one of ${TABLE_SOURCES.join(', ')}, got '${requested}'`);
  }
  const source: TableSource = tier !== asked ? 'committed' : (requested as TableSource);
  let path: string;
  let failures: string[] = [];
  if (source === 'run') {
    const scratch = o.scratchDir ?? join('runs', 'notebooks', 'repro');
    path = join(scratch, tier, `${id}.json`);
    const backend = o.backend ?? process.env.CHANLAB_BACKEND ?? 'wasm';
    // a scratch result of other code is started over (the runner refuses to mix two commits in one table)
    const [run] = await runTables(o.tables ?? TABLES, {
      select: [id], tier, backend, restartStale: true, outDir: scratch, workDir: join(scratch, 'runs'), quiet: true, log: o.log,
      prepare: () => useBackend(backend),
    });
    failures = run!.failures;
    lines.push(`Numbers: run by this notebook at the ${tier} tier (${backend}) into \`${path}\`; rows already there from the same code commit are reused` +
      ` (delete the file to rerun them). The committed result is \`${join(o.resultsDir ?? REFERENCE_DIR, tier, `${id}.json`)}\`.`);
  } else {
    path = join(o.resultsDir ?? REFERENCE_DIR, tier, `${id}.json`);
    lines.push(`Numbers: the committed result \`${path}\`.`);
  }
  const file = loadResult(path, id, tier);
  if (!file) lines.push(`Nothing has run at the ${tier} tier yet: every cell is "not run" (\`chanlab repro ${id} --tier ${tier}\` runs it).`);
  else if (source === 'committed' && file.commit !== codeCommit()) lines.push(`It was produced by the code of commit ${file.commit ?? '(unknown)'}; the code is now at ${codeCommit() ?? '(no git)'}.`);
  if (failures.length) lines.push(`**Failed rows**: ${failures.join('; ')}`);
  const body = tableMarkdown(table, tier, file).replace(/^# /, '## ');
  return {
    table, tier, source, path: file ? path : null, file, failures,
    markdown: `${lines.map((l) => `> ${l}`).join('\n>\n')}\n\n${body}`,
    figures: tableFigures(table, tier, file),
  };
}

/** `tableView` shown through tslab's display: the Markdown table, then each figure (HTML + PNG). Throws when a row failed. */
export async function showTable(id: string, display: Display & { markdown(s: string): void }, o: TableViewOptions = {}): Promise<TableView> {
  const view = await tableView(id, o);
  display.markdown(view.markdown);
  for (const f of view.figures) await showFigure(f.figure, display);
  if (view.figures.length === 0) display.markdown('_No chart: no row has run at this tier and the table prints no paper number for it._');
  if (view.failures.length) throw new Error(`${id} (${view.tier}): ${view.failures.length} row(s) failed: ${view.failures.join('; ')}`);
  return view;
}
