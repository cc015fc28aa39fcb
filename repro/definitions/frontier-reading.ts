// What the frontier's result says, computed from it: each row's Δ top-1 against the dense curve at its MACs (paired by
// seed), the upper envelope of top-1 against MACs and against latency (which row is best at a given cost), and per
// method whether the result agrees with what its paper claims. Nothing here is typed by hand: every number and verdict
// comes from the result file.
import type { PairedDelta, ResultValues, RowDefinition } from '../definition.js';
import { meanInterval, verdict, type Verdict } from '../status.js';

/** The full-width dense network (stage widths 16/32/64) the methods modify. */
export const DENSE_FULL = 'dense-w16';
/** The series of the dense reference curve. */
export const SERIES_DENSE = 'dense';

/** The dense rows that have run, by their (once-computed) MACs, ascending. */
function denseCurve(rows: readonly string[], values: ResultValues): Array<{ row: string; macs: number }> {
  return rows.flatMap((row) => {
    const m = values.value(row, 'flops');
    return m ? [{ row, macs: m.mean }] : [];
  }).sort((a, b) => a.macs - b.macs);
}

/**
 * seed → top-1 of `row` minus the dense curve's top-1 at the row's MACs of that seed, the curve interpolated linearly
 * in log MACs between the dense rows around it (same seed); seeds outside the curve's range have no difference.
 */
export function curveDifferences(row: string, values: ResultValues, denseRows: readonly string[]): Map<number, number> {
  const curve = denseCurve(denseRows, values);
  const top1 = values.seeds(row, 'top1');
  const macs = values.seeds(row, 'flops');
  const out = new Map<number, number>();
  for (const [seed, y] of top1) {
    const x = macs.get(seed);
    if (x === undefined) continue;
    const i = curve.findIndex((p, k) => k + 1 < curve.length && p.macs <= x && x <= curve[k + 1]!.macs);
    if (i < 0) continue;
    const a = values.seeds(curve[i]!.row, 'top1').get(seed);
    const b = values.seeds(curve[i + 1]!.row, 'top1').get(seed);
    if (a === undefined || b === undefined) continue;
    const w = Math.log(x / curve[i]!.macs) / Math.log(curve[i + 1]!.macs / curve[i]!.macs);
    out.set(seed, y - ((1 - w) * a + w * b));
  }
  return out;
}

/** The paired Δ against the curve of `denseRows` at equal MACs, for every other row. */
export function curveDelta(key: string, denseRows: readonly string[]): PairedDelta {
  const hasCell = (row: string) => !denseRows.includes(row);
  return {
    key,
    reference: (row) => (hasCell(row) ? 'the dense curve at equal MACs' : null),
    differences: (row, values) => (hasCell(row) ? curveDifferences(row, values, denseRows) : new Map()),
  };
}

const pp = (v: number) => `${v > 0 ? '+' : ''}${v.toFixed(2)}`;
const ci = (c: [number, number] | null) => (c ? `[${pp(c[0])}, ${pp(c[1])}]` : '(one seed: no interval)');

interface Point {
  row: RowDefinition;
  x: number;
  top1: number;
}

/** The upper envelope of top-1 against `x` (rows no cheaper row beats), cheapest first. */
function envelope(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (const p of [...points].sort((a, b) => a.x - b.x || b.top1 - a.top1)) if (!out.length || p.top1 > out[out.length - 1]!.top1) out.push(p);
  return out;
}

function envelopeSentence(points: readonly Point[], what: string, unit: string, digits: number): string {
  const env = envelope(points);
  const on = [...new Set(env.map((p) => p.row.series ?? p.row.id))];
  const off = [...new Set(points.map((p) => p.row.series ?? p.row.id))].filter((s) => !on.includes(s));
  const list = env.map((p) => `${p.row.label} (${p.x.toFixed(digits)} ${unit}, ${p.top1.toFixed(2)} %)`).join(' → ');
  return `Best mean top-1 at a given ${what} (the upper envelope: no cheaper row is more accurate), cheapest first: ${list}. ` +
    `On the envelope: ${on.join(', ')}${off.length ? `; never on it: ${off.join(', ')}` : ''}. Means only: rows whose intervals overlap are not told apart (see the Δ cells).`;
}

/** One method's operating points against the dense curve, and whether that agrees with its paper's claim. */
function methodSentence(series: string, rows: readonly RowDefinition[], values: ResultValues, denseRows: readonly string[]): string | null {
  const parts: string[] = [];
  const verdicts: Verdict[] = [];
  for (const r of rows) {
    const d = [...curveDifferences(r.id, values, denseRows).values()];
    const macs = values.value(r.id, 'flops')?.mean;
    if (!d.length) {
      if (macs !== undefined) parts.push(`${r.label} at ${macs.toFixed(2)} M MACs: outside the dense curve's range`);
      continue;
    }
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const interval = meanInterval(d);
    const v = verdict(interval, r.claims?.delta_curve?.sign ?? null);
    verdicts.push(v);
    parts.push(`${r.label} at ${macs!.toFixed(2)} M MACs: ${pp(mean)} pp ${ci(interval)} → ${v}`);
  }
  if (!verdicts.length) return parts.length ? `${series} against the dense curve at equal MACs: ${parts.join('; ')}.` : null;
  const claim = rows[0]!.claims?.delta_curve;
  const tally = [...new Set(verdicts)].map((v) => `${verdicts.filter((x) => x === v).length} ${v}`).join(', ');
  const agreement = claim ? ` The paper's claim (${claim.text.split(':').pop()!.trim()}) is ${tally} over its ${verdicts.length} operating point(s).`
    : ` No paper states where ${series} lies against a dense network of equal MACs: ${tally}.`;
  return `${series} against the dense curve at equal MACs (paired by seed, 95 % t-interval): ${parts.join('; ')}.${agreement}`;
}

/** DGC's printed claim is a size, not a direction at equal MACs: its Δ against the full dense network at gate 0.45. */
function dgcSentence(values: ResultValues): string | null {
  const full = values.value(DENSE_FULL, 'flops');
  const g = values.value('dgc-g45', 'flops');
  const a = values.seeds('dgc-g45', 'top1');
  const b = values.seeds(DENSE_FULL, 'top1');
  const d = [...a].filter(([s]) => b.has(s)).map(([s, v]) => v - b.get(s)!);
  if (!full || !g || !d.length) return null;
  const mean = d.reduce((x, y) => x + y, 0) / d.length;
  return `DGC's README (docs/methods/dgc.md §6): at gate factor 0.45 dyresnet18 is 0.98 pp less accurate than ResNet-18 at 49 % of its MACs; ` +
    `here DGC gate 0.45 is ${pp(mean)} pp ${ci(meanInterval(d))} against the dense 16/32/64 network at ${((100 * g.mean) / full.mean).toFixed(0)} % of its MACs.`;
}

/** The frontier's reading from its result (`rows`: the table's rows; `series` names each one's method, 'dense' the curve). */
export function frontierReading(rows: readonly RowDefinition[], values: ResultValues): string[] {
  const points = (x: string): Point[] => rows.flatMap((row) => {
    const vx = values.value(row.id, x);
    const vy = values.value(row.id, 'top1');
    return vx && vy ? [{ row, x: vx.mean, top1: vy.mean }] : [];
  });
  const out: string[] = [];
  const denseRows = rows.filter((r) => r.series === SERIES_DENSE).map((r) => r.id);
  const dense = denseCurve(denseRows, values);
  if (dense.length) {
    const trained = dense.flatMap((p) => {
      const top1 = values.value(p.row, 'top1');
      return top1 ? [`${rows.find((r) => r.id === p.row)!.label} ${p.macs.toFixed(2)} M MACs → ${top1.mean.toFixed(2)} %`] : [];
    });
    if (trained.length) out.push(`Dense curve: ${trained.join('; ')}.`);
  }
  const byMacs = points('flops');
  if (byMacs.length) out.push(envelopeSentence(byMacs, 'MAC count', 'M MACs', 2));
  const byLatency = points('latency_ms');
  if (byLatency.length) out.push(envelopeSentence(byLatency, 'batch-1 latency', 'ms', 2));
  const methods = [...new Set(rows.map((r) => r.series).filter((s): s is string => !!s && s !== SERIES_DENSE))];
  for (const m of methods) {
    const s = methodSentence(m, rows.filter((r) => r.series === m), values, denseRows);
    if (s) out.push(s);
  }
  const dgc = dgcSentence(values);
  if (dgc) out.push(dgc);
  return out;
}
