// `chanlab repro`: run the reproduction suite's missing rows and print paper-vs-reproduced tables.
// The only place the library reaches into repro/ (the suite's definitions live outside src/).
import { join } from 'node:path';
import { releaseBackends, useBackend } from '../../backend/index.js';
import { INPUTS, TIERS, type InputName, type Inputs } from '../../../repro/definition.js';
import { TABLES } from '../../../repro/definitions/index.js';
import { rowsAtTier } from '../../../repro/render.js';
import { inputEnvName, runTables } from '../../../repro/runner.js';
import { collectUnits, planUnits } from '../../../repro/units.js';
import { parse, type Options } from '../args.js';

export const summary = "Runs the missing rows of the papers' tables and prints paper versus reproduced numbers.";

export const help = `chanlab repro [table | table/row …] [--tier quick|small|full] [--seeds N] [--backend wasm] [--fresh] [--list]
  The paper tables: runs the missing rows, prints paper / reproduced / Δ / status.
  Finished rows never rerun; a killed training resumes from its checkpoint. Writes repro/results/<tier>/<table>.json
  (rows, seeds, mean ± std, manifests) and .md.
  --list shows the tables, their tiers and row ids. --fresh starts the selected rows over (result and runs).
  --out DIR (default repro/results), --work DIR (runs, default runs/repro), --quiet.
  Row × seed units as separate processes (scripts/run-table.mjs; docs/runs.md "Scale-out"):
  --seed K runs only seed K of the selected rows (a row's once-per-tier computation goes with seed 0);
  --plan prints the units of the selection and which are done as JSON (their result dirs under --units DIR,
  default <work>/units), runs nothing; --collect merges the units' result files into --out, runs nothing,
  and exits 1 while units are missing. With --fresh both ignore the table's result file (and --plan the units').
  Files some rows need (rows without them show "not run"; each also read from the environment variable named):
${(Object.keys(INPUTS) as InputName[]).map((k) => `  --${k} DIR (${inputEnvName(k)}): ${INPUTS[k]}`).join('\n')}
  Rows of one table may run as parallel processes (chanlab repro table/row …): each result is merged into the table's
  file under a lock (<file>.lock; a lock left by a dead process is broken).`;

/** Every option of the command (each one is named in `help`: test/cli/help.test.ts checks). */
export const options: Options = {
  tier: { type: 'string' }, seeds: { type: 'string' }, backend: { type: 'string' }, fresh: { type: 'boolean' },
  list: { type: 'boolean' }, out: { type: 'string' }, work: { type: 'string' }, quiet: { type: 'boolean' },
  seed: { type: 'string' }, plan: { type: 'boolean' }, collect: { type: 'boolean' }, units: { type: 'string' },
  ...Object.fromEntries(Object.keys(INPUTS).map((k) => [k, { type: 'string' as const }])),
};

export async function run(argv: string[]): Promise<number> {
  const a = parse('repro', argv, options);
  const inputs: Inputs = {};
  for (const k of Object.keys(INPUTS) as InputName[]) {
    const v = a.str(k);
    if (v !== undefined) inputs[k] = v;
  }
  if (a.help) return console.log(help), 0;
  if (a.flag('list')) {
    for (const t of TABLES) {
      console.log(`${t.id}  [${t.tiers.join(', ')}]  ${t.title} — ${t.source.paper} ${t.source.table}`);
      for (const tier of TIERS) if (t.tiers.includes(tier)) console.log(`  ${tier.padEnd(5)}: ${rowsAtTier(t, tier).map((r) => r.id).join(', ')}`);
    }
    return 0;
  }
  const seeds = a.str('seeds') === undefined ? undefined : a.int('seeds', 1);
  const tier = a.str('tier') ?? 'quick';
  if (a.flag('plan') || a.flag('collect')) {
    if (a.flag('plan') && a.flag('collect')) throw new Error('repro: --plan and --collect exclude each other');
    const workDir = a.str('work') ?? join('runs', 'repro');
    const o = { select: a.positionals, tier, seeds, outDir: a.str('out'), workDir, unitsDir: a.str('units') ?? join(workDir, 'units'), fresh: a.flag('fresh'), inputs };
    if (a.flag('plan')) return console.log(JSON.stringify(planUnits(TABLES, o), null, 2)), 0;
    const collected = collectUnits(TABLES, o);
    for (const c of collected) console.log(`\n${c.markdown}→ ${c.path}${c.merged ? ` (${c.merged} unit(s) merged)` : ''}`);
    const left = collected.flatMap((c) => c.missing.map((m) => `${c.table}/${m}`));
    if (left.length) console.error(`\n${left.length} unit(s) have no result yet:\n${left.map((m) => `  ${m}`).join('\n')}`);
    return left.length ? 1 : 0;
  }
  let backend = a.str('backend') ?? process.env.CHANLAB_BACKEND ?? 'wasm';
  try {
    // selectors, tier, seeds and result files are all checked before the backend starts or anything runs
    const runs = await runTables(TABLES, {
      select: a.positionals, tier, seeds, seed: a.str('seed') === undefined ? undefined : a.int('seed', 0, 0), backend, fresh: a.flag('fresh'), outDir: a.str('out'), workDir: a.str('work'), quiet: a.flag('quiet'), inputs,
      prepare: async () => {
        backend = await useBackend(backend);
        return backend;
      },
    });
    for (const r of runs) console.log(`\n${r.markdown}→ ${r.path}${r.ran ? ` (${r.ran} new)` : ''}`);
    const failed = runs.flatMap((r) => r.failures.map((f) => `${r.table}/${f}`));
    if (failed.length) console.error(`\n${failed.length} row(s) failed:\n${failed.map((f) => `  ${f}`).join('\n')}`);
    return failed.length ? 1 : 0;
  } finally {
    releaseBackends();
  }
}
