import type { ImageFormat } from '../../viz/plot/render.js';
import { plotCommand } from '../../viz/plot_command.js';
import { parse } from '../args.js';

export const help = `chanlab plot <result.json> [--format png|svg|both]
  Writes the figures of a reproduction result file next to it (<id>.<figure>.png): paper vs reproduced bars,
  accuracy vs FLOPs / latency, mean ± std bars, training curves. Needs Debian chromium (offline export).`;

export async function run(argv: string[]): Promise<number> {
  const a = parse('plot', argv, { format: { type: 'string' } });
  if (a.help) return console.log(help), 0;
  const file = a.positionals[0];
  if (!file || a.positionals.length > 1) throw new Error('plot: expected one result file, e.g. `chanlab plot repro/results/quick/flops-tables.json`');
  const format = a.str('format') ?? 'png';
  const formats: ImageFormat[] = format === 'both' ? ['png', 'svg'] : format === 'png' || format === 'svg' ? [format] : [];
  if (formats.length === 0) throw new Error(`plot: --format must be png, svg or both, got '${format}'`);
  for (const line of await plotCommand(file, formats)) console.log(line);
  return 0;
}
