import { inspectCommand } from '../../checkpoint/commands.js';
import { parse, type Options } from '../args.js';

export const summary = 'Shows the keys, shapes, dtypes and metadata of a PyTorch checkpoint without executing it.';

export const help = `chanlab inspect FILE [--max-tensors 50]
  Keys, shapes, dtypes and metadata of a PyTorch .pth / .pth.tar file (read safely: nothing in it is executed).`;

/** Every option of the command (each one is named in `help`: test/cli/help.test.ts checks). */
export const options: Options = { 'max-tensors': { type: 'string' } };

export async function run(argv: string[]): Promise<number> {
  const a = parse('inspect', argv, options);
  if (a.help) return console.log(help), 0;
  const file = a.positionals[0];
  if (!file) throw new Error('inspect: a checkpoint file is required');
  console.log(inspectCommand(file, { maxTensors: a.int('max-tensors', 50) }));
  return 0;
}
