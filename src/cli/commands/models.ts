import { useBackend } from '../../backend/index.js';
import { withoutInit } from '../../nn/init.js';
import { createModel, listModels } from '../../zoo/index.js';
import { parse, type Options } from '../args.js';
import { int, table } from '../table.js';

export const summary = 'Lists the registered models with their parameter counts, input sizes and classes.';

export const help = `chanlab models [--family NAME] [--json]
  Lists registered models with their parameter counts (built without weight init on the cpu backend).`;

/** Every option of the command (each one is named in `help`: test/cli/help.test.ts checks). */
export const options: Options = { family: { type: 'string' }, json: { type: 'boolean' } };

export async function run(argv: string[]): Promise<number> {
  const a = parse('models', argv, options);
  if (a.help) return console.log(help), 0;
  await useBackend('cpu');
  const family = a.str('family');
  const families = [...new Set(listModels().map((e) => e.family))];
  if (family !== undefined && !families.includes(family)) throw new Error(`models: --family must be one of ${families.join(', ')}, got '${family}'`);
  const entries = listModels().filter((e) => family === undefined || e.family === family);
  const rows = entries.map((e) => {
    const m = withoutInit(() => createModel(e.name));
    const params = m.numParameters();
    m.dispose();
    return { name: e.name, family: e.family, params, input: e.defaultInputSize, classes: e.defaultConfig.numClasses, description: e.description };
  });
  if (a.flag('json')) console.log(JSON.stringify(rows, null, 2));
  else console.log(table(['name', 'family', 'params', 'input', 'classes', 'description'], rows.map((r) => [r.name, r.family, int(r.params), r.input, r.classes, r.description])));
  return 0;
}
