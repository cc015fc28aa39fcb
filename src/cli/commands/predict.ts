import { releaseBackends } from '../../backend/index.js';
import { predictCommand } from '../../checkpoint/commands.js';
import { parse, type Options } from '../args.js';

export const summary = "Writes a model's logits for an NCHW .npy input, with the weights of a PyTorch checkpoint.";

export const help = `chanlab predict --model NAME --checkpoint FILE --input x.npy --output y.npy [--backend wasm] [--batch-size 32] [--key K] [--config JSON] [--allow-non-finite]
  Loads a PyTorch checkpoint into a chanlab model (eval mode) and writes its logits for an NCHW float32 .npy input.
  Inputs holding NaN/Inf give NaN logits and are reported; checkpoints with NaN/Inf weights need --allow-non-finite.`;

/** Every option of the command (each one is named in `help`: test/cli/help.test.ts checks). */
export const options: Options = {
  model: { type: 'string' }, checkpoint: { type: 'string' }, input: { type: 'string' }, output: { type: 'string' },
  backend: { type: 'string' }, 'batch-size': { type: 'string' }, key: { type: 'string' }, config: { type: 'string' },
  'allow-non-finite': { type: 'boolean' },
};

export async function run(argv: string[]): Promise<number> {
  const a = parse('predict', argv, options);
  if (a.help) return console.log(help), 0;
  const config = a.jsonObject('config');
  try {
    const r = await predictCommand({
      model: a.need('model'), checkpoint: a.need('checkpoint'), input: a.need('input'), output: a.need('output'),
      backend: a.str('backend'), batchSize: a.int('batch-size', 32), key: a.str('key'), allowNonFinite: a.flag('allow-non-finite'),
      ...(config ? { config } : {}),
    });
    console.log(r.text);
    return r.nonFinite ? 3 : 0;
  } finally {
    releaseBackends();
  }
}
