import { releaseBackends, useBackend } from '../../backend/index.js';
import { exportDgcRun } from '../../train/dgc_export.js';
import { parse, type Options } from '../args.js';

export const summary = "Exports a chanlab DGC run in the official DGC training script's checkpoint format.";

export const help = `chanlab dgc export --from RUN_DIR|CHECKPOINT --out FILE.pth.tar [--which last|best|final] [--json]
  DGC tools: export a chanlab DGC run to the official training-script format {state_dict ('module.' keys), epoch,
  best_prec1, optimizer (SGD state_dict with momentum buffers)}, which the official main.py / PyTorch load.`;

/** Every option of the command (each one is named in `help`: test/cli/help.test.ts checks). */
export const options: Options = { from: { type: 'string' }, out: { type: 'string' }, which: { type: 'string' }, json: { type: 'boolean' } };

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') return console.log(help), sub ? 0 : 1;
  if (sub !== 'export') throw new Error(`dgc: unknown subcommand '${sub}' (expected 'export')`);
  const a = parse(`dgc ${sub}`, rest, options);
  if (a.help) return console.log(help), 0;
  await useBackend('cpu');
  try {
    const r = exportDgcRun({ from: a.need('from'), out: a.need('out'), which: a.str('which') as 'last' | 'best' | 'final' | undefined });
    if (a.flag('json')) console.log(JSON.stringify(r, null, 2));
    else {
      console.log(`${r.model} (${r.dgcLayers} DGC layers) from ${r.checkpoint} → ${a.need('out')}: epoch ${r.epoch}, best_prec1 ${r.bestPrec1.toFixed(2)}`);
      console.log(r.note);
    }
  } finally {
    releaseBackends();
  }
  return 0;
}
