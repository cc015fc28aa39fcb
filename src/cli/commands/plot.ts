import { reproResultFigures } from '../../../repro/figures.js';
import type { ImageFormat } from '../../viz/plot/render.js';
import { resultFigures } from '../../viz/plot/result_figures.js';
import { plotCommand } from '../../viz/plot_command.js';
import { parse, type Options } from '../args.js';

export const summary = 'Renders the figures of a result file as PNG or SVG next to it.';

export const help = `chanlab plot <result.json> [--format png|svg|both]
  Writes the figures of a result file next to it (<id>.<figure>.png). A result of \`chanlab repro\`
  (repro/results/<tier>/<table>.json) gets its table notebook's figures: paper vs reproduced mean ± std per metric,
  and the table's scatter pairs (accuracy vs FLOPs / latency). Other JSON is read tolerantly: paper_* vs reproduced
  columns, *_std error bars, accuracy vs FLOPs / latency, training curves. Needs Debian chromium (offline export).`;

/** Every option of the command (each one is named in `help`: test/cli/help.test.ts checks). */
export const options: Options = { format: { type: 'string' } };

export async function run(argv: string[]): Promise<number> {
  const a = parse('plot', argv, options);
  if (a.help) return console.log(help), 0;
  const file = a.positionals[0];
  if (!file || a.positionals.length > 1) throw new Error('plot: expected one result file, e.g. `chanlab plot repro/results/quick/flops-tables.json`');
  const format = a.str('format') ?? 'png';
  const formats: ImageFormat[] = format === 'both' ? ['png', 'svg'] : format === 'png' || format === 'svg' ? [format] : [];
  if (formats.length === 0) throw new Error(`plot: --format must be png, svg or both, got '${format}'`);
  for (const line of await plotCommand(file, formats, (parsed, path) => reproResultFigures(parsed, path) ?? resultFigures(parsed, path))) console.log(line);
  return 0;
}
