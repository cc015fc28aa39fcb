// `chanlab plot <result.json>`: renders the figures of a result file next to it (<id>.<figure>.png / .svg).
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../core/fs.js';
import { FigureRenderer, type ImageFormat } from './plot/render.js';
import { resultFigures, type ResultFigures } from './plot/result_figures.js';

/** `figuresOf` turns the parsed JSON into figures (default: the tolerant reader; the CLI adds the suite's own). */
export async function plotCommand(file: string, formats: readonly ImageFormat[] = ['png'],
  figuresOf: (parsed: unknown, file: string) => ResultFigures = resultFigures): Promise<string[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`plot: cannot read result file '${file}': ${(e as Error).message}`);
  }
  const { figures, notes } = figuresOf(parsed, file);
  const lines = notes.map((n) => `note: ${n}`);
  if (figures.length === 0) return lines;
  const stem = join(dirname(file), basename(file).replace(/\.json$/i, ''));
  const r = await FigureRenderer.open();
  try {
    for (const f of figures) {
      for (const format of formats) {
        const path = `${stem}.${f.name}.${format}`;
        writeFileAtomic(path, await r.render(f.figure, { format }));
        lines.push(`wrote ${path}`);
      }
    }
  } finally {
    await r.close();
  }
  return lines;
}
