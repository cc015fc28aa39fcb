import { releaseBackends, useBackend } from '../../backend/index.js';
import { compactCheckpoint } from '../../checkpoint/chex_compact.js';
import { evalTable, formatEvalTable } from '../../train/chex_eval_table.js';
import { parse, type Options } from '../args.js';

export const summary = 'Compacts masked CHEX checkpoints to the official format and evaluates the released ones.';

export const help = `chanlab chex compact|eval-table …
  CHEX tools: compact a masked checkpoint to the official {cfg, state_dict} format; evaluate the README checkpoints.
chanlab chex compact --model resnet50 --checkpoint FILE --out FILE.pth.tar [--backend wasm] [--input N] [--json]
chanlab chex eval-table --checkpoints DIR [--imagenet-val DIR] [--limit N] [--batch-size 50] [--backend wasm] [--json]
  compact: a full-size masked CHEX ResNet (official .pth.tar or a chanlab run checkpoint) → the official
  compact format {cfg, state_dict}, checked to give the masked model's logits; prints MACs before/after.
  eval-table: the README checkpoint table against the downloaded checkpoints in DIR (FLOPs always, top-1 with
  --imagenet-val).`;

/** Every option of the command (each one is named in `help`: test/cli/help.test.ts checks). */
export const options: Options = {
  model: { type: 'string' }, checkpoint: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, input: { type: 'string' },
  checkpoints: { type: 'string' }, 'imagenet-val': { type: 'string' }, limit: { type: 'string' }, 'batch-size': { type: 'string' }, json: { type: 'boolean' },
};

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') return console.log(help), sub ? 0 : 1;
  const a = parse(`chex ${sub}`, rest, options);
  if (a.help) return console.log(help), 0;
  const backend = await useBackend(a.str('backend')); // else CHANLAB_BACKEND, else wasm
  try {
    if (sub === 'compact') {
      const r = await compactCheckpoint({
        model: a.need('model'), checkpoint: a.need('checkpoint'), out: a.need('out'), input: a.str('input') ? a.int('input', 64) : undefined,
      });
      if (a.flag('json')) console.log(JSON.stringify(r, null, 2));
      else {
        console.log(`compact ResNet-${r.depth} written to ${a.need('out')} (checked on ${backend}): cfg [${r.cfg.join(',')}]`);
        console.log(`MACs ('chex', input ${r.inputShape.join('×')}): masked ${r.macsMasked.toLocaleString('en-US')}, compact ${r.macsCompact.toLocaleString('en-US')}; ` +
          `params ${r.paramsMasked.toLocaleString('en-US')} → ${r.paramsCompact.toLocaleString('en-US')}`);
        console.log(`max |logit difference| compact vs masked: ${r.maxAbsDiff.toExponential(2)} (${r.zeroFilters} zero filters in the input)`);
        for (const f of r.folded) console.log(`folded: ${f}`);
        if (r.violations.length) console.log(`mask inconsistencies (${r.violations.length}):\n  ${r.violations.slice(0, 20).join('\n  ')}`);
      }
      if (!(r.maxAbsDiff <= 1e-3)) throw new Error(`chex compact: the compact model's logits differ from the masked model's by ${r.maxAbsDiff}`);
      return 0;
    }
    if (sub === 'eval-table') {
      const rows = await evalTable({
        checkpoints: a.need('checkpoints'), imagenetVal: a.str('imagenet-val'), limit: a.str('limit') ? a.int('limit', 1) : undefined,
        batchSize: a.int('batch-size', 50), onProgress: (m) => process.stderr.write(`\r${m.slice(0, 100).padEnd(100)}`),
      });
      process.stderr.write('\n');
      console.log(a.flag('json') ? JSON.stringify(rows, null, 2) : formatEvalTable(rows));
      return 0;
    }
    throw new Error(`chex: unknown subcommand '${sub}' (compact, eval-table)`);
  } finally {
    releaseBackends();
  }
}
