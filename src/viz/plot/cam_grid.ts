// CAM grids (supplement Figure 5): one row per image, columns input / baseline CAM / PiX CAM (or any columns), as
// Plotly image traces with PNG data URIs.
import { axis, baseLayout, type Figure, type Trace } from './figure.js';

export interface CamGridRow {
  label: string;
  /** PNG bytes per column, in the order of `columns`. */
  images: readonly Uint8Array[];
}

export function camGrid(columns: readonly string[], rows: readonly CamGridRow[], title = 'Grad-CAM: baseline vs PiX', cell = 180): Figure {
  if (columns.length === 0 || rows.length === 0) throw new Error('camGrid: expected at least one column and one row');
  const data: Trace[] = [];
  const layout = baseLayout(title, {
    width: columns.length * cell + 140, height: rows.length * cell + 100, margin: { l: 120, r: 20, t: 80, b: 20 },
    showlegend: false, annotations: [] as Record<string, unknown>[],
  });
  const nc = columns.length, nr = rows.length, gap = 0.02;
  rows.forEach((row, r) => {
    if (row.images.length !== nc) throw new Error(`camGrid: row '${row.label}' has ${row.images.length} images, expected ${nc}`);
    row.images.forEach((png, c) => {
      const k = r * nc + c + 1;
      const suffix = k === 1 ? '' : String(k);
      data.push({ type: 'image', source: `data:image/png;base64,${Buffer.from(png).toString('base64')}`, xaxis: `x${suffix}`, yaxis: `y${suffix}`, hoverinfo: 'skip' });
      const hidden = { visible: false, showgrid: false };
      layout[`xaxis${suffix}`] = axis('', { ...hidden, domain: [c / nc + gap / 2, (c + 1) / nc - gap / 2], anchor: `y${suffix}` });
      layout[`yaxis${suffix}`] = axis('', { ...hidden, domain: [1 - (r + 1) / nr + gap / 2, 1 - r / nr - gap / 2], anchor: `x${suffix}`, scaleanchor: `x${suffix}` });
    });
  });
  const notes = layout.annotations as Record<string, unknown>[];
  columns.forEach((name, c) => notes.push({ text: `<b>${name}</b>`, x: (c + 0.5) / nc, y: 1.0, xref: 'paper', yref: 'paper', yanchor: 'bottom', showarrow: false }));
  rows.forEach((row, r) => notes.push({ text: row.label, x: 0, y: 1 - (r + 0.5) / nr, xref: 'paper', yref: 'paper', xanchor: 'right', showarrow: false }));
  return { data, layout };
}
