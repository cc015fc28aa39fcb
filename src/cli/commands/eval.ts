import { releaseBackends } from '../../backend/index.js';
import { runEvalCommand } from '../../train/commands.js';
import { parse, type Options } from '../args.js';

export const summary = "Evaluates a checkpoint on a data set's test split: top-1, top-5 and loss.";

export const help = `chanlab eval --checkpoint FILE --data fashion_mnist[:ROOT] [--model NAME] [--backend wasm] [--ema] [--batch-size 256]
             [--allow-non-finite] [--quiet]
  Evaluates a training checkpoint (or, with --model, a PyTorch one) on a data set's test split (top-1, top-5, loss);
  --data is a data set name with an optional root (cifar10:DIR, cifar100:DIR, imagenet:DIR with val/ and, for the
  class index, train/). A checkpoint with NaN/Inf weights is refused unless --allow-non-finite; non-finite weights or
  logits are reported (non-finite logits count as wrong) and make the exit status 3. --ema evaluates the EMA weights;
  --quiet prints only the result lines (no progress).`;

/** Every option of the command (each one is named in \`help\`: test/cli/help.test.ts checks). */
export const options: Options = {
  model: { type: 'string' }, checkpoint: { type: 'string' }, data: { type: 'string' }, backend: { type: 'string' },
  ema: { type: 'boolean' }, 'batch-size': { type: 'string' }, quiet: { type: 'boolean' }, 'allow-non-finite': { type: 'boolean' },
};

export async function run(argv: string[]): Promise<number> {
  const a = parse('eval', argv, options);
  if (a.help) return console.log(help), 0;
  try {
    const r = await runEvalCommand({
      model: a.str('model'), checkpoint: a.need('checkpoint'), data: a.need('data'), backend: a.str('backend'),
      ema: a.flag('ema'), batchSize: a.int('batch-size', 256), quiet: a.flag('quiet'), allowNonFinite: a.flag('allow-non-finite'),
    });
    return r.nonFinite > 0 || r.nonFiniteWeights.length > 0 ? 3 : 0;
  } finally {
    releaseBackends();
  }
}
