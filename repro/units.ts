// A table's rows × seeds as units that separate processes run (scripts/run-table.mjs, one per GPU or Slurm task):
// the plan of the units and which are done, the result directory each unit's process writes (`chanlab repro
// table/row --seed k --out <unit dir>`: no two processes ever write one file), and the collect that merges the units'
// result files into the table's result file, in one process. A row's once-per-tier computation goes with seed 0.
import { join } from 'node:path';
import type { Inputs, RowDefinition, TableDefinition, Tier } from './definition.js';
import { tableMarkdown } from './render.js';
import { checkSameCommit, codeCommit, emptyResult, loadResult, mergeRow, type ResultFile } from './results.js';

export { mergeRow } from './results.js';
import { computesAt, missing, parseTier, resolveInputs, resolveSelection, RESULTS_DIR, rowWorkDir, saveResult, seedCount, trainsAt, unavailableReason } from './runner.js';

export interface Unit {
  table: string;
  row: string;
  seed: number;
  /** The unit computes the row's once-per-tier metrics (seed 0 of a computed row). */
  compute: boolean;
  train: boolean;
  done: boolean;
  /** The `--out` directory of the unit's process. */
  out: string;
  /** The unit's training run directory (training units). */
  runDir: string | null;
}

export interface TablePlan {
  table: string;
  tier: Tier;
  /** The table's result file the collect writes. */
  path: string;
  seeds: number;
  units: Unit[];
}

export interface UnitOptions {
  select: readonly string[];
  tier: string;
  seeds?: number;
  /** Default runs/repro/results (RESULTS_DIR). */
  outDir?: string;
  /** Root of the units' result directories. */
  unitsDir: string;
  /** Root of the training runs (default runs/repro). */
  workDir?: string;
  /**
   * The selected units start over: their records in the table's result file do not count (none of the file does
   * when it is of other code), and the plan also ignores the units' own files.
   */
  fresh?: boolean;
  /** User-supplied files; a row whose input is missing (here or in the environment) has no units. */
  inputs?: Inputs;
}

export function unitOutDir(unitsDir: string, table: string, row: string, seed: number): string {
  return join(unitsDir, table, row, `seed-${seed}`);
}


interface Loaded {
  plan: TablePlan;
  definition: TableDefinition;
  main: ResultFile | null;
  unitFiles: Map<Unit, ResultFile>;
}

function forgetSelected(main: ResultFile, rows: readonly RowDefinition[], tier: Tier, nSeeds: number, commit: string | null): void {
  if (main.commit !== commit) {
    main.rows = {};
    main.commit = commit;
    return;
  }
  for (const row of rows) {
    const rec = main.rows[row.id];
    if (!rec) continue;
    if (computesAt(row, tier)) rec.computed = null;
    if (trainsAt(row, tier)) rec.seeds = rec.seeds.filter((s) => s.seed >= nSeeds);
  }
}

function load(tables: readonly TableDefinition[], o: UnitOptions, ignoreUnits: boolean): Loaded[] {
  const tier = parseTier(o.tier);
  const inputs = resolveInputs(o.inputs);
  const commit = codeCommit();
  return resolveSelection(tables, o.select, tier).map(({ table, rows }) => {
    const path = join(o.outDir ?? RESULTS_DIR, tier, `${table.id}.json`);
    const nSeeds = seedCount(table, tier, o.seeds);
    const main = loadResult(path, table.id, tier);
    // --fresh: the selected units' earlier results do not count (all of the file's, when it is of other code)
    if (o.fresh && main) forgetSelected(main, rows, tier, nSeeds, commit);
    const units: Unit[] = [];
    const unitFiles = new Map<Unit, ResultFile>();
    for (const row of rows) {
      const train = trainsAt(row, tier);
      const computes = computesAt(row, tier);
      if (row.pending || unavailableReason(row, tier, inputs) || (!train && !computes)) continue;
      for (let seed = 0; seed < (train ? nSeeds : 1); seed++) {
        const out = unitOutDir(o.unitsDir, table.id, row.id, seed);
        const unitPath = join(out, tier, `${table.id}.json`);
        const file = ignoreUnits ? null : loadResult(unitPath, table.id, tier);
        const rec = mergeRow(main?.rows[row.id], file?.rows[row.id]);
        const m = missing(row, rec, tier, nSeeds, seed);
        const runDir = train ? join(rowWorkDir(o.workDir ?? join('runs', 'repro'), tier, table.id, row.id), `seed-${seed}`) : null;
        const unit: Unit = { table: table.id, row: row.id, seed, compute: computes && seed === 0, train, done: !m.compute && !m.seeds.length, out, runDir };
        // results of other code are refused before anything runs, not after hours of training
        if (file) checkSameCommit(file, unitPath, commit);
        if (file) unitFiles.set(unit, file);
        units.push(unit);
      }
    }
    if (main && units.some((u) => !u.done || unitFiles.has(u))) checkSameCommit(main, path, commit);
    return { plan: { table: table.id, tier, path, seeds: nSeeds, units }, definition: table, main, unitFiles };
  });
}

/** The units of the selected tables and which are done (in the table's result file or in their own); checks commits. */
export function planUnits(tables: readonly TableDefinition[], o: UnitOptions): TablePlan[] {
  return load(tables, o, !!o.fresh).map((l) => l.plan);
}

export interface Collected {
  table: string;
  path: string;
  /** Units whose results were merged now. */
  merged: number;
  /** Units without a result (`row seed k`). */
  missing: string[];
  markdown: string;
}

/** Merges the units' result files into each table's result file (written only when something new came in). */
export function collectUnits(tables: readonly TableDefinition[], o: UnitOptions): Collected[] {
  const commit = codeCommit();
  return load(tables, o, false).map(({ plan, definition, main, unitFiles }) => {
    const file = main ?? emptyResult(plan.table, plan.tier, commit);
    let merged = 0;
    for (const [unit, unitFile] of unitFiles) {
      const before = JSON.stringify(file.rows[unit.row] ?? null);
      const rec = mergeRow(file.rows[unit.row], unitFile.rows[unit.row]);
      if (rec) file.rows[unit.row] = rec;
      if (JSON.stringify(file.rows[unit.row] ?? null) !== before) merged++;
    }
    if (merged) saveResult(definition, plan.tier, plan.path, file);
    const missingUnits = plan.units.filter((u) => !u.done).map((u) => `${u.row} seed ${u.seed}`);
    return { table: plan.table, path: plan.path, merged, missing: missingUnits, markdown: tableMarkdown(definition, plan.tier, merged || main ? file : null) };
  });
}
