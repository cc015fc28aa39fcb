import { probeBackends, releaseBackends } from '../../backend/index.js';
import { parse, type Options } from '../args.js';
import { table } from '../table.js';

export const summary = 'Lists the tfjs backends chanlab can use here, and why an unavailable one is not.';

export const help = `chanlab backends [--json]
  Lists the tfjs backends chanlab can use here, and why an unavailable one is not (with how to get it).`;

/** Every option of the command (each one is named in `help`: test/cli/help.test.ts checks). */
export const options: Options = { json: { type: 'boolean' } };

export async function run(argv: string[]): Promise<number> {
  const a = parse('backends', argv, options);
  if (a.help) return console.log(help), 0;
  const rows = await probeBackends();
  releaseBackends();
  if (a.flag('json')) console.log(JSON.stringify(rows, null, 2));
  else console.log(table(['backend', 'available', 'detail'], rows.map((r) => [r.name, r.available ? 'yes' : 'no', r.detail])));
  return 0;
}
