// Small multiples: one panel of grouped bars per quantity (e.g. each metric of a reproduction table, paper vs
// reproduced, with error bars), in a grid, one colour per series across all panels and a single legend.
import { fmt, type BarRow } from './charts.js';
import { axis, baseLayout, checkFinite, PALETTE, type Figure, type Trace } from './figure.js';

export interface BarPanel {
  /** Panel title (e.g. 'FLOPs (M)'). */
  title: string;
  yTitle?: string;
  rows: readonly BarRow[];
  logY?: boolean;
}

/** Series colours: 'paper' is grey everywhere, other series take the palette in order of appearance. */
const FIXED: Record<string, string> = { paper: '#9a9a9a' };

/** A grid of bar panels (`columns` wide, default 2; 1 for a single panel) under one title. */
export function barPanels(panels: readonly BarPanel[], title: string, opts: { columns?: number; panelHeight?: number } = {}): Figure {
  if (panels.length === 0) throw new Error('panels: expected at least one panel');
  const cols = opts.columns ?? Math.min(2, panels.length);
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`columns: expected a positive integer, got ${cols}`);
  const rowsN = Math.ceil(panels.length / cols);
  const panelHeight = opts.panelHeight ?? 380;
  // 'paper' first: it is the reference the other series are read against
  const series = [...new Set(['paper', ...panels.flatMap((p) => p.rows.map((r) => r.series ?? ''))])].filter((s) => panels.some((p) => p.rows.some((r) => (r.series ?? '') === s)));
  let next = 0;
  const colour = new Map(series.map((s) => [s, FIXED[s] ?? PALETTE[next++ % PALETTE.length]!]));
  const data: Trace[] = [];
  const layout: Record<string, unknown> = {};
  const annotations: Record<string, unknown>[] = [];
  const shown = new Set<string>();
  // each grid cell: 12% of its height above the plot for the panel title, 38% below for rotated category labels
  const cellH = 1 / rowsN;
  panels.forEach((p, i) => {
    if (p.rows.length === 0) throw new Error(`panels[${i}] ('${p.title}'): expected at least one bar`);
    checkFinite(p.rows.map((r) => r.value), `panels[${i}].rows.value`);
    const k = i === 0 ? '' : String(i + 1);
    const c = i % cols, r = Math.floor(i / cols);
    const x0 = c / cols + (c > 0 ? 0.04 : 0), x1 = (c + 1) / cols - (c < cols - 1 ? 0.04 : 0);
    const top = 1 - r * cellH;
    const y1 = top - 0.12 * cellH, y0 = top - 0.62 * cellH;
    const few = p.rows.length <= 12;
    for (const s of series) {
      const rs = p.rows.filter((row) => (row.series ?? '') === s);
      if (rs.length === 0) continue;
      const hasErr = rs.some((row) => row.error !== undefined);
      data.push({
        type: 'bar', name: s || p.title, legendgroup: s, legendrank: s === 'paper' ? 1 : 2, showlegend: !shown.has(s) && s !== '', xaxis: `x${k}`, yaxis: `y${k}`,
        x: rs.map((row) => row.label), y: rs.map((row) => row.value), marker: { color: colour.get(s) },
        ...(few ? { text: rs.map((row) => row.text ?? fmt(row.value)), textposition: 'outside', cliponaxis: false } : {}),
        ...(hasErr ? { error_y: { type: 'data', array: rs.map((row) => row.error ?? 0), visible: true, thickness: 1.5, width: 5 } } : {}),
      });
      shown.add(s);
    }
    layout[`xaxis${k}`] = axis('', { domain: [x0, x1], anchor: `y${k}`, showgrid: false, tickangle: -30 });
    layout[`yaxis${k}`] = axis(p.yTitle ?? '', { domain: [y0, y1], anchor: `x${k}`, ...(p.logY ? { type: 'log' } : {}) });
    annotations.push({ text: `<b>${p.title}</b>`, x: (x0 + x1) / 2, y: top - 0.02 * cellH, xref: 'paper', yref: 'paper', xanchor: 'center', yanchor: 'top', showarrow: false, font: { size: 13 } });
  });
  return {
    data,
    layout: baseLayout(title, {
      ...layout, annotations, barmode: 'group', width: cols === 1 ? 800 : 1100, height: 80 + rowsN * panelHeight,
      showlegend: shown.size > 0 && [...shown].some((s) => s !== ''), legend: { orientation: 'h', x: 0, y: 1, yanchor: 'bottom' },
      margin: { l: 90, r: 30, t: 90, b: 20 },
    }),
  };
}
