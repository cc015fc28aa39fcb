// Figure builders: training curves, ablation bars with error bars, accuracy-vs-FLOPs / accuracy-vs-latency scatter,
// latency bars and probability violins.
import { Rng } from '../../core/rng.js';
import { axis, baseLayout, checkFinite, PALETTE, type Figure, type Trace } from './figure.js';

export interface CurveRun {
  name: string;
  /** x of the loss points (steps or epochs). */
  lossX?: number[];
  loss?: number[];
  /** x of the accuracy points (epochs). */
  accuracyX?: number[];
  /** Top-1 accuracy in %. */
  accuracy?: number[];
}

/** Loss (left) and test accuracy (right) of one or more runs, one colour per run. */
export function trainingCurves(runs: readonly CurveRun[], title = 'Training curves', xTitle = 'step'): Figure {
  if (runs.length === 0) throw new Error('runs: expected at least one run');
  const data: Trace[] = [];
  runs.forEach((r, i) => {
    const color = PALETTE[i % PALETTE.length];
    if (r.loss) {
      checkFinite(r.loss, `runs[${i}].loss`);
      data.push({ type: 'scatter', mode: 'lines', name: `${r.name} loss`, legendgroup: r.name, x: r.lossX ?? r.loss.map((_, k) => k), y: r.loss, line: { color, width: 1.5 } });
    }
    if (r.accuracy) {
      checkFinite(r.accuracy, `runs[${i}].accuracy`);
      data.push({ type: 'scatter', mode: 'lines+markers', name: `${r.name} top-1`, legendgroup: r.name, x: r.accuracyX ?? r.accuracy.map((_, k) => k + 1), y: r.accuracy, xaxis: 'x2', yaxis: 'y2', line: { color, width: 2 } });
    }
  });
  if (data.length === 0) throw new Error('runs: no run has loss or accuracy values');
  return {
    data,
    layout: baseLayout(title, {
      xaxis: axis(xTitle, { domain: [0, 0.45] }), yaxis: axis('loss'),
      xaxis2: axis('epoch', { domain: [0.55, 1], anchor: 'y2' }), yaxis2: axis('top-1 (%)', { anchor: 'x2' }),
      legend: { orientation: 'h', y: -0.2 },
    }),
  };
}

export interface BarRow {
  label: string;
  /** Series name for grouped bars (e.g. 'paper' / 'reproduced'). */
  series?: string;
  value: number;
  /** Error bar half-width (e.g. the std over seeds, or half a confidence interval). */
  error?: number;
  /** Text above the bar (default: the value, shortened); e.g. a verdict. */
  text?: string;
}

/** Grouped bars, one group per label and one colour per series, with optional error bars (ablations E0–E4). */
export function barChart(rows: readonly BarRow[], title: string, yTitle: string, opts: { logY?: boolean; xTitle?: string } = {}): Figure {
  if (rows.length === 0) throw new Error('rows: expected at least one bar');
  checkFinite(rows.map((r) => r.value), 'rows.value');
  const series = groupBy(rows, (r) => r.series);
  const data: Trace[] = series.map(([s, rs]) => {
    const ey = errorBars(rs.map((r) => r.error), 1.5, 6);
    return {
      type: 'bar', name: s || yTitle, x: rs.map((r) => r.label), y: rs.map((r) => r.value),
      ...(rows.length <= 12 ? { text: rs.map((r) => r.text ?? fmt(r.value)), textposition: 'outside', cliponaxis: false } : {}),
      ...(ey ? { error_y: ey } : {}),
    };
  });
  return {
    data,
    layout: baseLayout(title, {
      barmode: 'group', showlegend: series.length > 1 || series[0]![0] !== '',
      xaxis: axis(opts.xTitle ?? '', { showgrid: false, automargin: true }), yaxis: axis(yTitle, opts.logY ? { type: 'log' } : {}),
    }),
  };
}

/** Ablation bars: mean ± std per variant. */
export function ablationBars(rows: readonly { label: string; mean: number; std?: number }[], title: string, yTitle = 'top-1 (%)'): Figure {
  return barChart(rows.map((r) => ({ label: r.label, value: r.mean, error: r.std })), title, yTitle);
}

/** Latency bars in ms (± std), grouped by backend/device when `series` is given. */
export function latencyBars(rows: readonly BarRow[], title = 'Latency'): Figure {
  return barChart(rows, title, 'latency (ms)');
}

export interface TradeoffPoint {
  label: string;
  x: number;
  /** Accuracy (%). */
  y: number;
  /** Method family (one colour and legend entry per group), e.g. 'baseline', 'PiX', 'CHEX', 'DGC'. */
  group?: string;
  /** Error bar half-widths (e.g. half a 95 % confidence interval over seeds). */
  xError?: number;
  yError?: number;
}

/**
 * Accuracy against a cost (GFLOPs, latency): labelled points, one colour per group, with error bars where given;
 * `lines` joins each group's points in order of x (a method's curve over its operating points).
 */
export function tradeoffScatter(points: readonly TradeoffPoint[], title: string, xTitle: string, opts: { logX?: boolean; lines?: boolean } = {}): Figure {
  if (points.length === 0) throw new Error('points: expected at least one point');
  checkFinite(points.flatMap((p) => [p.x, p.y, p.xError ?? 0, p.yError ?? 0]), 'points');
  const groups = groupBy(points, (p) => p.group);
  const data: Trace[] = groups.map(([g, ps]) => {
    if (opts.lines) ps.sort((a, b) => a.x - b.x);
    const ex = errorBars(ps.map((p) => p.xError), 1.2, 4), ey = errorBars(ps.map((p) => p.yError), 1.2, 4);
    return {
      type: 'scatter', mode: opts.lines ? 'lines+markers+text' : 'markers+text', name: g || 'models', x: ps.map((p) => p.x), y: ps.map((p) => p.y),
      text: ps.map((p) => p.label), textposition: 'top center', marker: { size: 11, line: { width: 1, color: '#333' } },
      ...(ex ? { error_x: ex } : {}), ...(ey ? { error_y: ey } : {}),
    };
  });
  return {
    data,
    layout: baseLayout(title, { xaxis: axis(xTitle, opts.logX ? { type: 'log' } : {}), yaxis: axis('top-1 (%)'), showlegend: groups.length > 1 }),
  };
}

export function accuracyVsFlops(points: readonly TradeoffPoint[], title = 'Accuracy vs FLOPs'): Figure {
  return tradeoffScatter(points, title, 'GFLOPs');
}

export function accuracyVsLatency(points: readonly TradeoffPoint[], title = 'Accuracy vs latency'): Figure {
  return tradeoffScatter(points, title, 'latency (ms)');
}

/** Violins of PiX sampling probabilities per stage (supplement Figure 4); at most `maxPoints` values (a seeded random subset) per violin. */
export function probabilityViolins(stages: ReadonlyMap<string, ArrayLike<number>> | readonly { name: string; values: ArrayLike<number> }[], title = 'PiX sampling probabilities per stage', maxPoints = 4000): Figure {
  const list = stages instanceof Map ? [...stages].map(([name, values]) => ({ name, values })) : [...(stages as readonly { name: string; values: ArrayLike<number> }[])];
  if (list.length === 0) throw new Error('stages: expected at least one stage');
  const data: Trace[] = list.map(({ name, values }, i) => {
    if (values.length === 0) throw new Error(`stages: '${name}' has no values`);
    // a seeded random subset: a fixed stride would alias with the channel layout of the collected values
    const rng = new Rng(i);
    const y = values.length <= maxPoints
      ? Array.from(values)
      : Array.from({ length: maxPoints }, () => values[Math.floor(rng.random() * values.length)]!);
    checkFinite(y, `stages['${name}']`);
    return { type: 'violin', name, y, box: { visible: true }, meanline: { visible: true }, points: false, line: { color: PALETTE[i % PALETTE.length] }, spanmode: 'hard' };
  });
  return { data, layout: baseLayout(title, { yaxis: axis('p', { range: [0, 1] }), xaxis: axis('stage', { showgrid: false }), showlegend: false }) };
}

/** The items of each group ('' for none), groups in order of first appearance, items in their order. */
function groupBy<T>(items: readonly T[], group: (t: T) => string | undefined): Array<[string, T[]]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const g = group(t) ?? '';
    const list = out.get(g);
    if (list) list.push(t);
    else out.set(g, [t]);
  }
  return [...out];
}

/** Plotly error bars of these half-widths (missing ones 0); undefined where none is given. */
function errorBars(halfWidths: ReadonlyArray<number | undefined>, thickness: number, width: number): Record<string, unknown> | undefined {
  if (!halfWidths.some((e) => e !== undefined)) return undefined;
  return { type: 'data', array: halfWidths.map((e) => e ?? 0), visible: true, thickness, width };
}

/** A short label for a bar value: 1.23G, 4.56M, 7.8k, 0.12. */
export function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 1e9 ? `${(v / 1e9).toFixed(2)}G` : a >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : a >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : `${+v.toFixed(2)}`;
}
