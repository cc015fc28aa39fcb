// Runs the missing rows of the selected tables at a tier and writes repro/results/<tier>/<table>.json + .md after
// every finished unit (a row's computed metrics, or one seed of its training). Resumable: a finished unit is never
// rerun; a killed training seed resumes from its last checkpoint in <workDir>/<tier>/<table>/<row>/seed-<n>.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../src/core/fs.js';
import { LockTimeoutError, withFileLock } from '../src/core/lock.js';
import { RunStopped } from '../src/train/stop.js';
import { sealed } from './digest.js';
import { makeManifest, type Manifest } from '../src/train/manifest.js';
import { train, runPaths } from '../src/train/loop.js';
import { Progress } from '../src/train/progress.js';
import { INPUTS, rowTiers, TIERS, type InputName, type Inputs, type RowContext, type RowDefinition, type TableDefinition, type Tier } from './definition.js';
import { buildCells, rowsAtTier, tableMarkdown } from './render.js';
import { checkSameCommit, codeCommit, emptyResult, loadResult, mergeRow, type ResultFile, type RowRecord, type SeedRecord } from './results.js';

export interface ReproOptions {
  /** `table` or `table/row` selectors; empty: every table that has the tier. */
  select: readonly string[];
  tier: string;
  /** Seeds per training row (seeds 0 … n−1); default: the table's default for the tier. */
  seeds?: number;
  /** Run only this seed (0 … seeds−1) of each selected row; a row's once-per-tier computation goes with seed 0. */
  seed?: number;
  /** Backend name recorded in manifests and used by training (already activated by the caller for computed rows). */
  backend: string;
  /** Ignore existing result files and start the selected rows over (their training runs are removed). */
  fresh?: boolean;
  /** Default repro/results. */
  outDir?: string;
  /** Default runs/repro. */
  workDir?: string;
  quiet?: boolean;
  log?: (line: string) => void;
  /** User-supplied files (checkpoints, data sets); a name not given falls back to the environment (CHANLAB_<NAME>). */
  inputs?: Inputs;
  /** Environment consulted for inputs (default process.env). */
  env?: Record<string, string | undefined>;
  /** Called once all input is checked and before anything runs (e.g. activates the backend); returns the backend name. */
  prepare?: () => Promise<string>;
}

export interface TableRun {
  table: string;
  tier: Tier;
  path: string;
  /** Units (computed rows, seeds) run now. */
  ran: number;
  failures: string[];
  markdown: string;
}

export interface Selection {
  table: TableDefinition;
  /** The selected rows (all of the table's rows at the tier when only the table is named). */
  rows: RowDefinition[];
}

export function parseTier(tier: string): Tier {
  if (!(TIERS as readonly string[]).includes(tier)) throw new Error(`--tier must be one of ${TIERS.join(', ')}, got '${tier}'`);
  return tier as Tier;
}

/** Resolves `table` / `table/row` selectors; every problem is reported before anything runs. */
export function resolveSelection(tables: readonly TableDefinition[], select: readonly string[], tier: Tier): Selection[] {
  const known = tables.map((t) => t.id).join(', ');
  if (select.length === 0) {
    return tables.filter((t) => t.tiers.includes(tier)).map((table) => ({ table, rows: rowsAtTier(table, tier) }));
  }
  const out: Selection[] = [];
  for (const s of select) {
    const [tid, rid, ...rest] = s.split('/');
    const table = tables.find((t) => t.id === tid);
    if (!table || rest.length) throw new Error(`unknown table '${s}' (known tables: ${known}; a row is selected as table/row)`);
    if (!table.tiers.includes(tier)) throw new Error(`table '${table.id}' has no tier '${tier}' (its tiers: ${table.tiers.join(', ')})`);
    let rows = rowsAtTier(table, tier);
    if (rid !== undefined) {
      const row = table.rows.find((r) => r.id === rid);
      if (!row) throw new Error(`unknown row '${rid}' of table '${table.id}' (known rows: ${table.rows.map((r) => r.id).join(', ')})`);
      if (!rowTiers(table, row).includes(tier)) throw new Error(`row '${table.id}/${rid}' has no tier '${tier}' (its tiers: ${rowTiers(table, row).join(', ')})`);
      rows = [row];
    }
    const prev = out.find((x) => x.table === table);
    if (prev) prev.rows = [...new Set([...prev.rows, ...rows])];
    else out.push({ table, rows });
  }
  return out;
}

/** The environment variable of an input: chex-checkpoints → CHANLAB_CHEX_CHECKPOINTS. */
export function inputEnvName(name: InputName): string {
  return `CHANLAB_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** Given inputs (else their environment variables); each must be an existing directory. */
export function resolveInputs(given: Inputs = {}, env: Record<string, string | undefined> = process.env): Inputs {
  const out: Inputs = {};
  for (const k of Object.keys(given)) {
    if (!(k in INPUTS)) throw new Error(`inputs: unknown input '${k}' (known: ${Object.keys(INPUTS).join(', ')})`);
  }
  for (const name of Object.keys(INPUTS) as InputName[]) {
    const v = given[name] ?? env[inputEnvName(name)];
    if (v === undefined || v === '') continue;
    const from = given[name] !== undefined ? `--${name}` : inputEnvName(name);
    if (!existsSync(v) || !statSync(v).isDirectory()) throw new Error(`${from}: ${v} is not a directory; expected the ${INPUTS[name]}`);
    out[name] = v;
  }
  return out;
}

export function seedCount(table: TableDefinition, tier: Tier, seeds: number | undefined): number {
  if (seeds !== undefined && !(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be an integer ≥ 1, got ${seeds}`);
  return seeds ?? table.defaultSeeds?.[tier] ?? 1;
}

export function computesAt(row: RowDefinition, tier: Tier): boolean {
  return !!row.compute && (!row.computeTiers || row.computeTiers.includes(tier));
}

export function trainsAt(row: RowDefinition, tier: Tier): boolean {
  return !!row.train && row.train.tiers.includes(tier);
}

/** Why `row` cannot run with the inputs at hand (a user-supplied file missing), or null. */
export function unavailableReason(row: RowDefinition, tier: Tier, inputs: Inputs): string | null {
  return row.pending ? null : row.unavailable?.({ tier, inputs }) ?? null;
}

/**
 * Units of a row still to run at the tier (none for a pending row: its method has not landed; none for a row whose
 * user-supplied input is missing). With `only`, just that seed, and the once-per-tier computation only with seed 0.
 */
export function missing(row: RowDefinition, rec: RowRecord | undefined, tier: Tier, nSeeds: number, only?: number, inputs: Inputs = {}): { compute: boolean; seeds: number[] } {
  if (row.pending || unavailableReason(row, tier, inputs)) return { compute: false, seeds: [] };
  const done = new Set(rec?.seeds.map((s) => s.seed) ?? []);
  const seeds = trainsAt(row, tier) ? Array.from({ length: nSeeds }, (_, i) => i).filter((s) => !done.has(s)) : [];
  return {
    compute: computesAt(row, tier) && !rec?.computed && (only === undefined || only === 0),
    seeds: only === undefined ? seeds : seeds.filter((s) => s === only),
  };
}

/** Scratch directory of a row (its training runs are `seed-<n>` below it). */
export function rowWorkDir(workRoot: string, tier: Tier, table: string, row: string): string {
  return join(workRoot, tier, table, row);
}

/** Writes a result file and its Markdown rendering (cells rebuilt), each atomically. */
export function saveResult(table: TableDefinition, tier: Tier, path: string, file: ResultFile): void {
  file.updated = new Date().toISOString();
  file.cells = buildCells(table, tier, file);
  writeJsonAtomic(path, file);
  writeFileAtomic(path.replace(/\.json$/, '.md'), tableMarkdown(table, tier, file));
}

async function trainSeed(row: RowDefinition, seed: number, ctx: RowContext, commit: string | null): Promise<SeedRecord> {
  const runDir = join(ctx.workDir, `seed-${seed}`);
  const config = row.train!.config(ctx.tier, seed);
  const paths = runPaths(runDir);
  const resume = existsSync(paths.last) && existsSync(paths.config);
  // killed before its first checkpoint: nothing to resume, start the seed over
  if (!resume && existsSync(runDir)) rmSync(runDir, { recursive: true, force: true });
  if (resume) {
    // only a run of the same code is continued (a result must not mix two commits)
    const started = (JSON.parse(readFileSync(paths.manifest, 'utf8')) as Manifest).git.commit;
    const at = started ? codeCommit(started) : null;
    if (at !== commit) {
      throw new Error(`${runDir} holds a run of commit ${started ?? '(unknown)'} (code ${at ?? 'unknown'}), the code is now at ${commit ?? '(no git)'}; ` +
        'rerun the table with --fresh (which removes its runs) or finish that run with its own code');
    }
  }
  const r = await train({ config, runDir, resume, backend: ctx.backend, progress: new Progress({ quiet: ctx.quiet }) });
  if (!r.final) throw new Error(`${runDir}: training ended without a test evaluation`);
  const manifest = JSON.parse(readFileSync(paths.manifest, 'utf8')) as Manifest;
  const images = r.steps * config.batchSize * (config.accumSteps ?? 1);
  // the manifest sums the wall time of every finished segment of a resumed run (a killed segment's time is lost)
  const wall = manifest.wallSeconds ?? r.wallSeconds;
  const extra = row.train!.metrics ? await row.train!.metrics(runDir, config) : {};
  return sealed({ seed, runDir, metrics: { top1: r.final.top1, top5: r.final.top5, trainWallSeconds: wall, trainImgPerSec: images / wall, ...extra }, manifest });
}

/** The result file, or null when there is none or it is corrupt. */
function loadOrNull(path: string, table: string, tier: Tier): ResultFile | null {
  try {
    return loadResult(path, table, tier);
  } catch {
    return null;
  }
}

/** The selected rows of `table` cover every row it has at the tier (so --fresh may start the whole file over). */
function wholeTable(table: TableDefinition, tier: Tier, rows: readonly RowDefinition[]): boolean {
  return rowsAtTier(table, tier).every((r) => rows.includes(r));
}

/** `file` without the records --fresh starts over: the selected rows' (or only seed `only` of them). */
function forgetFresh(file: ResultFile, rows: readonly RowDefinition[], only: number | undefined): void {
  for (const row of rows) {
    const rec = file.rows[row.id];
    if (!rec) continue;
    if (only === undefined) delete file.rows[row.id];
    else {
      rec.seeds = rec.seeds.filter((s) => s.seed !== only);
      if (only === 0) rec.computed = null;
    }
  }
}

export async function runTables(tables: readonly TableDefinition[], o: ReproOptions): Promise<TableRun[]> {
  const tier = parseTier(o.tier);
  const log = o.log ?? ((l: string) => console.log(l));
  const selection = resolveSelection(tables, o.select, tier);
  const inputs = resolveInputs(o.inputs, o.env);
  const outDir = o.outDir ?? join('repro', 'results');
  const workRoot = o.workDir ?? join('runs', 'repro');
  const commit = codeCommit();
  // Check every result file and seed count before running anything.
  const plans = selection.map(({ table, rows }) => {
    const path = join(outDir, tier, `${table.id}.json`);
    const nSeeds = seedCount(table, tier, o.seeds);
    if (o.seed !== undefined && !(Number.isInteger(o.seed) && o.seed >= 0 && o.seed < nSeeds)) {
      throw new Error(`--seed must be an integer in [0, ${nSeeds - 1}] (table '${table.id}' runs ${nSeeds} seed(s) at tier ${tier}), got ${o.seed}`);
    }
    // --fresh may start over from a corrupt file (it is replaced); without it a corrupt file is refused
    const loaded = o.fresh ? loadOrNull(path, table.id, tier) : loadResult(path, table.id, tier);
    const todo = rows.filter((r) => {
      const m = missing(r, o.fresh ? undefined : loaded?.rows[r.id], tier, nSeeds, o.seed, inputs);
      return m.compute || m.seeds.length > 0;
    });
    const whole = o.fresh && o.seed === undefined && wholeTable(table, tier, rows);
    if (loaded && todo.length && !whole) {
      if (!o.fresh) checkSameCommit(loaded, path, commit);
      else if (loaded.commit !== commit) {
        throw new Error(`${path} was produced at commit ${loaded.commit ?? '(none)'} but the code is now at ${commit ?? '(no git)'}; ` +
          `--fresh on some rows would mix two commits in one table — rerun the whole table with --fresh (${table.id})`);
      }
    }
    return { table, rows, path, nSeeds, todo, whole };
  });
  const backend = plans.some((p) => p.todo.length) && o.prepare ? await o.prepare() : o.backend;
  const runs: TableRun[] = [];
  for (const { table, rows, path, nSeeds, todo, whole } of plans) {
    for (const row of rows) {
      const why = unavailableReason(row, tier, inputs);
      if (why) log(`– ${table.id}/${row.id} (${tier}): not run (${why})`);
    }
    // Other processes may run other rows (or seeds) of this table at the same time: every write re-reads the file
    // under its lock and merges this process's row record into it (temp file + rename), so no result is lost.
    const update = (rowId: string, rec: RowRecord): Promise<ResultFile> => withFileLock(path, () => {
      const disk = loadResult(path, table.id, tier);
      if (disk) checkSameCommit(disk, path, commit);
      const f = disk ?? emptyResult(table.id, tier, commit);
      f.rows[rowId] = mergeRow(rec, f.rows[rowId])!;
      saveResult(table, tier, path, f);
      return f;
    }, { onWait: log });
    if (o.fresh && todo.length) {
      // --fresh starts the selected rows (or seed) over: their records and training runs go (the file, for a whole table)
      await withFileLock(path, () => {
        const disk = loadOrNull(path, table.id, tier);
        if (!disk || whole || disk.commit !== commit) return rmSync(path, { force: true });
        forgetFresh(disk, todo, o.seed);
        saveResult(table, tier, path, disk);
      }, { onWait: log });
      for (const row of todo) rmSync(join(rowWorkDir(workRoot, tier, table.id, row.id), ...(o.seed === undefined ? [] : [`seed-${o.seed}`])), { recursive: true, force: true });
    }
    let file: ResultFile | null = loadResult(path, table.id, tier);
    const failures: string[] = [];
    let ran = 0;
    if (!todo.length) log(`= ${table.id} (${tier}): nothing to run (${file ? path : 'no runnable rows'})`);
    for (const row of todo) {
      const rec: RowRecord = file?.rows[row.id] ?? { config: row.config, computed: null, seeds: [] };
      const m = missing(row, rec, tier, nSeeds, o.seed, inputs);
      const ctx: RowContext = { tier, backend, inputs, workDir: rowWorkDir(workRoot, tier, table.id, row.id), quiet: !!o.quiet };
      const save = async () => {
        file = await update(row.id, rec);
      };
      try {
        if (m.compute) {
          log(`▶ ${table.id}/${row.id} (${tier}): computing`);
          const manifest = makeManifest(row.config, 0, backend);
          const t0 = Date.now();
          const metrics = await row.compute!(ctx);
          Object.assign(manifest, { endTime: new Date().toISOString(), wallSeconds: (Date.now() - t0) / 1000, status: 'finished' });
          rec.computed = sealed({ metrics, manifest });
          await save();
          ran++;
        }
        for (const seed of m.seeds) {
          log(`▶ ${table.id}/${row.id} (${tier}): training seed ${seed} of ${nSeeds}`);
          const s = await trainSeed(row, seed, ctx, commit);
          rec.seeds = [...rec.seeds.filter((x) => x.seed !== seed), s].sort((a, b) => a.seed - b.seed);
          await save();
          ran++;
          log(`✔ ${table.id}/${row.id} seed ${seed}: test top-1 ${s.metrics.top1!.toFixed(2)}% in ${s.metrics.trainWallSeconds!.toFixed(0)} s`);
        }
      } catch (e) {
        // Ctrl-C / SIGTERM stop the whole command (exit 130 / 143), and a result lock that stays busy would stay busy
        // for every row: neither moves on to the next row
        if (e instanceof RunStopped || e instanceof LockTimeoutError) throw e;
        failures.push(`${row.id}: ${(e as Error).message}`);
        log(`✘ ${table.id}/${row.id}: ${(e as Error).message}`);
      }
    }
    runs.push({ table: table.id, tier, path, ran, failures, markdown: tableMarkdown(table, tier, file) });
  }
  return runs;
}
