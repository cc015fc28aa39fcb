// The result file repro/results/<tier>/<table>.json: per row its config, the once-per-tier computed metrics and one
// record per seed, each with its manifest. Loading checks the schema and the commit of the code that produced it.
import { bundleInfo } from '../src/core/build_info.js';
import { lastCodeCommit } from '../src/core/git.js';
import { existsSync, readFileSync } from 'node:fs';
import type { Manifest } from '../src/train/manifest.js';
import type { Metrics, Tier } from './definition.js';
import { unverified } from './digest.js';

export const RESULT_SCHEMA = 'chanlab-repro/1';

export interface RunRecord {
  metrics: Metrics;
  manifest: Manifest;
  /** sha256 of metrics and manifest (repro/digest.ts); absent in records written before digests */
  digest?: string;
  /** Training run directory (training rows). */
  runDir?: string;
}

export interface SeedRecord extends RunRecord {
  seed: number;
}

export interface RowRecord {
  config: Record<string, unknown>;
  computed: RunRecord | null;
  seeds: SeedRecord[];
}

export interface ResultFile {
  schema: typeof RESULT_SCHEMA;
  table: string;
  tier: Tier;
  /** Last commit that changed anything but repro/results (results are committed after the code they come from). */
  commit: string | null;
  updated: string;
  rows: Record<string, RowRecord>;
  /** Rendered cells (paper / reproduced / Δ / status), rebuilt on every write; informative only. */
  cells?: unknown;
}

/**
 * The commit of the code at `rev`: the last commit up to `rev` touching anything outside repro/results (null outside
 * a git checkout or for an unknown revision).
 */
export function codeCommit(rev = 'HEAD'): string | null {
  const fromGit = lastCodeCommit(rev);
  if (fromGit !== null || rev !== 'HEAD') return fromGit;
  // a bundle outside any checkout: the code it was built from
  return bundleInfo()?.codeCommit ?? null;
}

export function emptyResult(table: string, tier: Tier, commit: string | null): ResultFile {
  return { schema: RESULT_SCHEMA, table, tier, commit, updated: new Date().toISOString(), rows: {} };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkMetrics(v: unknown, where: string): void {
  if (!isObject(v)) throw new Error(`${where}.metrics: expected an object of numbers`);
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${where}.metrics.${k}: expected a finite number, got ${JSON.stringify(x)}`);
}

/** Parses and validates a result file; every problem is an Error naming the file and the field. */
export function parseResult(text: string, path: string, table: string, tier: Tier): ResultFile {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is corrupt (not JSON: ${(e as Error).message}); restore it with git or delete it to start over`);
  }
  const bad = (what: string) => new Error(`${path} is corrupt (${what}); restore it with git or delete it to start over`);
  if (!isObject(j)) throw bad('expected a JSON object');
  if (j.schema !== RESULT_SCHEMA) throw bad(`schema ${JSON.stringify(j.schema)}, expected '${RESULT_SCHEMA}'`);
  if (j.table !== table) throw bad(`it holds table '${String(j.table)}', expected '${table}'`);
  if (j.tier !== tier) throw bad(`it holds tier '${String(j.tier)}', expected '${tier}'`);
  if (j.commit !== null && typeof j.commit !== 'string') throw bad('commit must be a string or null');
  if (!isObject(j.rows)) throw bad('rows must be an object');
  for (const [id, r] of Object.entries(j.rows)) {
    const w = `rows.${id}`;
    try {
      if (!isObject(r) || !isObject(r.config) || !Array.isArray(r.seeds)) throw new Error(`${w}: expected {config, computed, seeds[]}`);
      const verify = (rec: Record<string, unknown>, at: string) => {
        checkMetrics(rec.metrics, at);
        const why = unverified(rec as unknown as RunRecord);
        if (why) throw new Error(`${at}: ${why}`);
      };
      if (r.computed !== null) {
        if (!isObject(r.computed) || !isObject(r.computed.manifest)) throw new Error(`${w}.computed: expected {metrics, manifest} or null`);
        verify(r.computed, `${w}.computed`);
      }
      r.seeds.forEach((s: unknown, i: number) => {
        if (!isObject(s) || !Number.isInteger(s.seed) || !isObject(s.manifest)) throw new Error(`${w}.seeds[${i}]: expected {seed, metrics, manifest}`);
        verify(s, `${w}.seeds[${i}]`);
      });
    } catch (e) {
      throw bad((e as Error).message);
    }
  }
  return j as unknown as ResultFile;
}

export function loadResult(path: string, table: string, tier: Tier): ResultFile | null {
  if (!existsSync(path)) return null;
  return parseResult(readFileSync(path, 'utf8'), path, table, tier);
}

/** Adding rows to a file written by other code would mix two commits in one table: refuse with the way out. */
export function checkSameCommit(file: ResultFile, path: string, commit: string | null): void {
  if (file.commit !== commit) {
    throw new Error(`${path} was produced at commit ${file.commit ?? '(none)'} but the code is now at ${commit ?? '(no git)'}; ` +
      `rows from two commits would be mixed — rerun the whole table with --fresh, or restore the code of ${file.commit ?? 'that run'}`);
  }
}

/** One row's records from two files: the first one's computed metrics and seeds win. */
export function mergeRow(a: RowRecord | undefined, b: RowRecord | undefined): RowRecord | undefined {
  if (!a || !b) return a ?? b;
  const seeds = [...a.seeds, ...b.seeds.filter((s) => !a.seeds.some((x) => x.seed === s.seed))].sort((x, y) => x.seed - y.seed);
  return { config: a.config, computed: a.computed ?? b.computed, seeds };
}
