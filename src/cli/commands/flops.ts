import { useBackend } from '../../backend/index.js';
import { flopsReport } from '../flops_report.js';
import { renderTables } from '../../../repro/flops-tables.js';
import type { Convention } from '../../flops/conventions.js';
import { inputChannelsOf, modelFromCheckpoint } from '../../checkpoint/commands.js';
import { parse, type Options } from '../args.js';

export const summary = "Counts a model's MACs, FLOPs and parameters per layer under a paper's counting convention.";

export const help = `chanlab flops --model NAME [--checkpoint FILE] [--input 224] [--convention ptflops|torchprofile|chex|dgc|pix-supplement|macs|all]
             [--backend wasm] [--json]
  Per-layer MACs/FLOPs/params table of a registered model under a paper's counting convention, counted with one
  forward pass on --backend (else CHANLAB_BACKEND, else wasm). With --checkpoint a
  chex_resnet* model is built from the checkpoint's shapes (compact CHEX models) and its weights (zeros not counted
  under 'chex').
chanlab flops --tables
  The reproduction tables (PiX supplement Table 1, squeeze example, PiX main table, CHEX baselines, DGC counts),
  computed now on the registered models, next to the papers' printed numbers.`;

/** Every option of the command (each one is named in `help`: test/cli/help.test.ts checks). */
export const options: Options = {
  model: { type: 'string' }, input: { type: 'string' }, convention: { type: 'string' }, json: { type: 'boolean' },
  tables: { type: 'boolean' }, backend: { type: 'string' }, checkpoint: { type: 'string' },
};

export async function run(argv: string[]): Promise<number> {
  const a = parse('flops', argv, options);
  if (a.help) return console.log(help), 0;
  const backend = await useBackend(a.str('backend')); // else CHANLAB_BACKEND, else wasm
  if (a.flag('tables')) {
    console.log(await renderTables());
    return 0;
  }
  const model = a.str('model') ?? a.positionals[0];
  if (!model) throw new Error('flops: --model is required (see `chanlab models`)');
  const opts = {
    ...(a.str('input') ? { input: a.int('input', 224) } : {}),
    convention: (a.str('convention') ?? 'ptflops') as Convention | 'all', backend,
    ...(a.str('checkpoint') ? withCheckpoint(model, a.need('checkpoint')) : {}),
  };
  if (a.flag('json')) console.log(JSON.stringify(await flopsReport(model, { ...opts, json: true }), null, 2));
  else console.log(await flopsReport(model, opts));
  return 0;
}

/** The model built from a checkpoint, and its input channels for the input shape. */
function withCheckpoint(model: string, file: string) {
  const module = modelFromCheckpoint(model, file);
  return { module, overrides: { inChannels: inputChannelsOf(module) } };
}
