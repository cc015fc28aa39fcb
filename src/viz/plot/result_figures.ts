// The figures of a reproduction result file (repro/results/<tier>/<id>.json). The reader is deliberately small and
// tolerant: it looks for tables (`results` as an array of {id, title, columns, rows}, a single {rows}, or an array of
// row objects) and for training runs (`results.runDir` with metrics.jsonl, or `results.history`), and makes
//   - accuracy vs FLOPs / latency scatter when a table has an accuracy column and a FLOPs / latency column,
//   - mean ± std bars when a column has a `<name>_std` (or `std`) partner,
//   - paper vs reproduced bars for every `paper_<name>` column with a numeric `<name>…` partner,
//   - training curves (loss per step, test top-1 per epoch) for runs.
import { jsonType } from '../../core/check.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { accuracyVsFlops, accuracyVsLatency, barChart, trainingCurves, type BarRow, type CurveRun } from './charts.js';
import type { Figure } from './figure.js';

export interface NamedFigure {
  /** File-name friendly: `<table id>-<kind>`. */
  name: string;
  figure: Figure;
}

export interface ResultFigures {
  figures: NamedFigure[];
  /** What was found but not plotted, and why. */
  notes: string[];
}

type Row = Record<string, unknown>;
interface Table { id: string; title: string; rows: Row[]; columns?: string[] }

/** Figures of a parsed result; `file` (the JSON's path) locates relative run directories. */
export function resultFigures(result: unknown, file = ''): ResultFigures {
  if (!isObject(result)) throw new Error(`result: expected a JSON object (a repro result file), got ${jsonType(result)}`);
  const id = str(result.id) ?? 'result';
  const title = str(result.title) ?? id;
  const body = 'results' in result ? result.results : result;
  const out: ResultFigures = { figures: [], notes: [] };
  for (const t of tablesOf(body, id, title)) tableFigures(t, out);
  const run = runOf(body, title, file, out.notes);
  if (run) out.figures.push({ name: `${id}-training`, figure: trainingCurves([run], `${title}: training`) });
  if (out.figures.length === 0) out.notes.push(`${id}: nothing to plot (no tables with numeric columns, no training run)`);
  return out;
}

function tablesOf(body: unknown, id: string, title: string): Table[] {
  if (Array.isArray(body)) {
    const tables = body.filter((t): t is Row => isObject(t) && Array.isArray(t.rows));
    if (tables.length) return tables.map((t, i) => ({ id: str(t.id) ?? `${id}-${i}`, title: str(t.title) ?? title, rows: (t.rows as unknown[]).filter(isObject), columns: strings(t.columns) }));
    if (body.every(isObject)) return [{ id, title, rows: body as Row[] }];
    return [];
  }
  if (isObject(body) && Array.isArray(body.rows)) return [{ id: str(body.id) ?? id, title: str(body.title) ?? title, rows: body.rows.filter(isObject) }];
  if (isObject(body) && Array.isArray(body.tables)) return tablesOf(body.tables, id, title);
  return [];
}

function tableFigures(t: Table, out: ResultFigures): void {
  if (t.rows.length === 0) return;
  const cols = [...new Set([...(t.columns ?? []), ...t.rows.flatMap((r) => Object.keys(r))])];
  // numeric: at least half of the present values parse as numbers (others, e.g. '811 / 523', are skipped)
  const numeric = cols.filter((c) => {
    const present = t.rows.map((r) => r[c]).filter((v) => v !== undefined && v !== null && v !== '' && typeof v !== 'boolean');
    const n = present.filter((v) => num(v) !== undefined).length;
    return n > 0 && n * 2 >= present.length;
  });
  const firstNum = cols.findIndex((c) => numeric.includes(c));
  const labelCols = cols.slice(0, firstNum < 0 ? cols.length : firstNum).filter((c) => t.rows.every((r) => typeof r[c] === 'string'));
  const label = (r: Row, i: number) => labelCols.map((c) => r[c] as string).join(' ') || `row ${i + 1}`;
  const find = (re: RegExp) => numeric.find((c) => re.test(c) && !c.startsWith('paper'));
  const acc = find(/top-?1|acc/i);
  const flops = find(/gflops|flops|macs/i);
  const latency = find(/latency|_ms$|^ms$/i);
  const points = (x: string, scale: number) => t.rows.flatMap((r, i) => {
    const xv = num(r[x]), yv = num(r[acc!]);
    return xv === undefined || yv === undefined ? [] : [{ label: label(r, i), x: xv * scale, y: yv, group: str(r.family) ?? str(r.method) }];
  });
  if (acc && flops) {
    const max = Math.max(...t.rows.map((r) => num(r[flops]) ?? 0));
    out.figures.push({ name: `${t.id}-acc-vs-flops`, figure: accuracyVsFlops(points(flops, max > 1e6 ? 1e-9 : 1), `${t.title}: accuracy vs FLOPs`) });
  }
  if (acc && latency) out.figures.push({ name: `${t.id}-acc-vs-latency`, figure: accuracyVsLatency(points(latency, 1), `${t.title}: accuracy vs latency`) });
  for (const c of numeric) {
    const std = numeric.find((s) => s === `${c}_std` || (s === 'std' && c === 'mean'));
    if (!std || c.startsWith('paper')) continue;
    const rows: BarRow[] = t.rows.flatMap((r, i) => num(r[c]) === undefined ? [] : [{ label: label(r, i), value: num(r[c])!, error: num(r[std]) }]);
    out.figures.push({ name: `${t.id}-${c}`, figure: barChart(rows, `${t.title}: ${c} (mean ± std)`, c) });
  }
  for (const p of numeric.filter((c) => /^paper_?/i.test(c))) {
    const base = p.replace(/^paper_?/i, '');
    const what = base || 'value';
    const mine = numeric.find((c) => c !== p && !/^paper/i.test(c) && c.toLowerCase().startsWith(base.toLowerCase()));
    if (!mine) {
      out.notes.push(`${t.id}: column '${p}' has no numeric reproduced counterpart '${base}…'`);
      continue;
    }
    const rows: BarRow[] = t.rows.flatMap((r, i) => {
      const a = num(r[p]), b = num(r[mine]);
      return a === undefined || b === undefined ? [] : [{ label: label(r, i), value: a, series: 'paper' }, { label: label(r, i), value: b, series: 'reproduced' }];
    });
    if (rows.length === 0) continue;
    const vals = rows.map((r) => Math.abs(r.value)).filter((v) => v > 0);
    const logY = vals.length > 0 && Math.max(...vals) / Math.min(...vals) > 100;
    out.figures.push({ name: `${t.id}-${what}`, figure: barChart(rows, `${t.title}: ${what}, paper vs reproduced`, what, { logY }) });
  }
}

function runOf(body: unknown, title: string, file: string, notes: string[]): CurveRun | null {
  if (!isObject(body)) return null;
  if (Array.isArray(body.history)) return curvesOf(body.history.filter(isObject), str(body.model) ?? title);
  const runDir = str(body.runDir);
  if (!runDir) return null;
  const metrics = candidates(runDir, file).map((d) => join(d, 'metrics.jsonl')).find((p) => existsSync(p));
  if (!metrics) {
    notes.push(`training curves: ${join(runDir, 'metrics.jsonl')} not found (run directories are not committed)`);
    return null;
  }
  return readRunCurves(dirname(metrics), str(body.model) ?? title);
}

/** Loss and test top-1 of a training run directory (its metrics.jsonl; unparsable lines are skipped). */
export function readRunCurves(runDir: string, name = runDir): CurveRun | null {
  const recs = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).flatMap((l) => {
    try {
      const v: unknown = JSON.parse(l);
      return isObject(v) ? [v] : [];
    } catch {
      return [];
    }
  });
  return curvesOf(recs, name);
}

/** metrics.jsonl records: {type:'step', step, loss} and {type:'epoch', epoch, testTop1}. */
export function curvesOf(recs: readonly Row[], name: string): CurveRun | null {
  const steps = recs.filter((r) => num(r.loss) !== undefined && num(r.step) !== undefined && r.type !== 'epoch');
  const epochs = recs.filter((r) => num(r.testTop1) !== undefined);
  if (steps.length === 0 && epochs.length === 0) return null;
  return {
    name,
    ...(steps.length ? { lossX: steps.map((r) => num(r.step)!), loss: steps.map((r) => num(r.loss)!) } : {}),
    ...(epochs.length ? { accuracyX: epochs.map((r) => (num(r.epoch) ?? 0) + 1), accuracy: epochs.map((r) => num(r.testTop1)!) } : {}),
  };
}

function candidates(runDir: string, file: string): string[] {
  if (isAbsolute(runDir)) return [runDir];
  const out = [resolve(runDir)];
  // repro/results/<tier>/<id>.json → the repository root is three levels up
  if (file) out.push(resolve(dirname(file), '..', '..', '..', runDir));
  return out;
}

function isObject(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((c) => typeof c === 'string') ? (v as string[]) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

const SI: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, B: 1e9, T: 1e12 };

/** A finite number, or a string that is one ("12.8", "25.5M", "1.03 G", "4.12B"); booleans are not numbers. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*([kKMGBT]?)\s*$/.exec(v);
  return m ? Number(m[1]) * SI[m[2]!]! : undefined;
}
