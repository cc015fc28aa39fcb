// Self-contained HTML for a figure (plotly.js inlined, ~5 MB): for notebooks (tslab.display.html) and files. Scripts
// do not run in untrusted or reopened notebooks, so notebooks also show the PNG (render.ts).
import type { Figure } from './figure.js';
import { plotlySource } from './plotly_source.js';

let counter = 0;

export function figureHtml(fig: Figure, opts: { includePlotly?: boolean } = {}): string {
  const id = `chanlab-plot-${process.pid}-${counter++}`;
  const lib = opts.includePlotly === false ? '' : `<script>${plotlySource()}</script>`;
  const json = JSON.stringify(fig).replace(/</g, '\\u003c');
  return `<div id="${id}"></div>${lib}<script>(function(){var f=${json};Plotly.newPlot('${id}',f.data,f.layout,{responsive:true});})();</script>`;
}
