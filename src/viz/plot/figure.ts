// Plotly figures as plain JSON (the `data` + `layout` that Plotly.newPlot takes), built without touching Plotly
// itself so that builders run anywhere; rendering (render.ts) and notebook HTML (html.ts) load plotly.js-dist-min.

/** One Plotly trace: `type` plus any of Plotly's trace attributes. */
export interface Trace {
  type: string;
  [attr: string]: unknown;
}

export interface Figure {
  data: Trace[];
  layout: Record<string, unknown>;
}

/** Default export size in CSS pixels. */
export const DEFAULT_SIZE = { width: 800, height: 500 } as const;

/** A qualitative palette (Okabe–Ito, colour-blind safe). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'] as const;

export function baseLayout(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title },
    template: 'plotly_white',
    font: { family: 'DejaVu Sans, Arial, sans-serif', size: 13 },
    paper_bgcolor: 'white',
    plot_bgcolor: 'white',
    colorway: [...PALETTE],
    margin: { l: 70, r: 30, t: 60, b: 60 },
    ...extra,
  };
}

export function axis(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: { text: title }, showgrid: true, gridcolor: '#e5e5e5', zeroline: false, linecolor: '#444', ...extra };
}

export function checkFinite(values: readonly number[], what: string): void {
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what}: expected finite numbers, got ${String(v)} at index ${i}`);
  });
}
