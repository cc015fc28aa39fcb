// `chanlab chex eval-table`: evaluates the released CHEX checkpoints a user has downloaded (file names as in the
// README table, docs/methods/chex.md §8.1): MACs ('chex' convention, 224²) and the reduction always, ImageNet top-1
// when a validation folder (one sub-folder per class, sorted = class index) is given (§7.6 pipeline: resize 256,
// centre crop 224).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadChexCheckpoint } from '../checkpoint/chex.js';
import { ImageFolder } from '../data/image_folder.js';
import { defaultDataWorkers } from '../data/worker_pool.js';
import { DataLoader } from '../data/loader.js';
import { imagenetEvalTransform } from '../data/presets.js';
import { countFlops } from '../flops/counter.js';
import { Subset } from './data.js';
import { evaluate } from './evaluate.js';
import { table } from '../core/table.js';
import { CHEX_BASELINE_MACS, CHEX_CHECKPOINTS, flopsMatch, reductionMatch, top1Match, type ChexCheckpointRow } from '../methods/chex/table.js';

export interface EvalTableRow {
  row: ChexCheckpointRow;
  /** the file found, or null when it is not in the folder */
  path: string | null;
  macs: number | null;
  reductionPct: number | null;
  flopsOk: boolean | null;
  reductionOk: boolean | null;
  top1: number | null;
  top1Ok: boolean | null;
  compact: boolean | null;
  error: string | null;
}

export interface EvalTableOptions {
  checkpoints: string;
  imagenetVal?: string;
  batchSize?: number;
  /** evaluate only the first N validation images (smoke runs) */
  limit?: number;
  onProgress?: (msg: string) => void;
}

const EXTS = ['.pth.tar', '.pth', '.tar', ''];

/** The README checkpoint file of `row` in `folder` (any of the usual extensions), or null. */
export function findChexCheckpoint(folder: string, row: ChexCheckpointRow): string | null {
  return EXTS.map((e) => join(folder, row.file + e)).find((p) => existsSync(p)) ?? null;
}

/**
 * One README row from the checkpoint at `path`: MACs ('chex' convention, 224²), reduction, and top-1 on `val`
 * (ImageNet val folder) when given. A checkpoint that does not load gives a row with `error` set.
 */
export async function evalChexCheckpoint(row: ChexCheckpointRow, path: string, o: Omit<EvalTableOptions, 'checkpoints'> = {}): Promise<EvalTableRow> {
  const r: EvalTableRow = { row, path, macs: null, reductionPct: null, flopsOk: null, reductionOk: null, top1: null, top1Ok: null, compact: null, error: null };
  o.onProgress?.(`${row.file}: loading ${path}`);
  let loaded;
  try {
    loaded = loadChexCheckpoint(path, { arch: row.model });
  } catch (e) {
    r.error = (e as Error).message;
    return r;
  }
  const model = loaded.model;
  try {
    r.compact = loaded.compact;
    r.macs = (await countFlops(model, { inputShape: [1, 224, 224, 3], convention: 'chex' })).totals.macs;
    r.reductionPct = 100 * (1 - r.macs / CHEX_BASELINE_MACS[row.model]);
    r.flopsOk = flopsMatch(row, r.macs);
    r.reductionOk = reductionMatch(row, r.macs);
    if (o.imagenetVal) {
      const val = new ImageFolder({ root: o.imagenetVal });
      const bs = o.batchSize ?? 50;
      const dataset = o.limit
        ? { ...val, length: Math.min(o.limit, val.length), get: (i: number) => val.get(i), sampleFile: (i: number) => val.sampleFile(i), numClasses: val.numClasses }
        : val;
      // decoded (Pillow-exact where the addon is built) and transformed in worker threads, one per core
      const loader = new DataLoader({ dataset, batchSize: bs, shuffle: false, seed: 0, transform: imagenetEvalTransform(), workers: defaultDataWorkers() });
      let e;
      try {
        e = await evaluate(model, loader, { onBatch: (d, t) => o.onProgress?.(`${row.file}: batch ${d}/${t}`) });
      } finally {
        await loader.close();
      }
      r.top1 = e.top1;
      r.top1Ok = top1Match(row, e.top1);
    }
  } finally {
    model.dispose();
  }
  return r;
}

export async function evalTable(o: EvalTableOptions): Promise<EvalTableRow[]> {
  if (!existsSync(o.checkpoints)) throw new Error(`chex eval-table: --checkpoints ${o.checkpoints} does not exist`);
  if (o.imagenetVal !== undefined && !existsSync(o.imagenetVal)) throw new Error(`chex eval-table: --imagenet-val ${o.imagenetVal} does not exist`);
  const out: EvalTableRow[] = [];
  for (const row of CHEX_CHECKPOINTS) {
    const path = findChexCheckpoint(o.checkpoints, row);
    out.push(path ? await evalChexCheckpoint(row, path, o)
      : { row, path, macs: null, reductionPct: null, flopsOk: null, reductionOk: null, top1: null, top1Ok: null, compact: null, error: null });
  }
  return out;
}

const cell = (v: number | null, d: number) => (v === null ? '—' : v.toFixed(d));
const ok = (v: boolean | null) => (v === null ? '' : v ? ' ✓' : ' ✗');

export function formatEvalTable(rows: readonly EvalTableRow[]): string {
  const head = ['model', 'file', 'README FLOPs', 'MACs (G)', 'README red.', 'reduction %', 'README top-1', 'top-1'];
  const body = rows.map((r) => [
    r.row.label, r.path ? r.row.file : `${r.row.file} (not found)`, `${r.row.flops} G`, cell(r.macs && r.macs / 1e9, 3) + ok(r.flopsOk),
    `${r.row.reduction} %`, cell(r.reductionPct, 1) + ok(r.reductionOk), `${r.row.top1} %`, cell(r.top1, 2) + ok(r.top1Ok),
  ]);
  const lines = [table(head, body, { align: head.map(() => 'left') })];
  for (const r of rows) if (r.error) lines.push(`${r.row.file}: ${r.error}`);
  lines.push('tolerances: FLOPs ±3 % (±0.05 G below 1.1 G), reduction ±1.5 pp, top-1 ±0.3 pp; the README ResNet-50 3 G and 2 G rows share one file.');
  return lines.join('\n');
}
