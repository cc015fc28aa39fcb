import { inspectCommand } from '../../checkpoint/commands.js';
import { parse } from '../args.js';

export const help = `chanlab inspect FILE [--max-tensors 50]
  Keys, shapes, dtypes and metadata of a PyTorch .pth / .pth.tar file (read safely: nothing in it is executed).`;

export async function run(argv: string[]): Promise<number> {
  const a = parse('inspect', argv, { 'max-tensors': { type: 'string' } });
  if (a.help) return console.log(help), 0;
  const file = a.positionals[0];
  if (!file) throw new Error('inspect: a checkpoint file is required');
  console.log(inspectCommand(file, { maxTensors: a.int('max-tensors', 50) }));
  return 0;
}
