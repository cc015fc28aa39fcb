// The reproduction runner: `npx tsx repro/run.ts --tier quick [--only id,id] [--backend wasm] [--quiet]`.
// Runs every definition of the tier and writes repro/results/<tier>/<id>.json (result + manifest) and <id>.md.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { releaseBackends, useBackend } from '../src/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../src/core/fs.js';
import { makeManifest } from '../src/train/manifest.js';
import type { Tier } from './definition.js';
import { DEFINITIONS } from './definitions/index.js';

const { values } = parseArgs({
  options: { tier: { type: 'string', default: 'quick' }, only: { type: 'string' }, backend: { type: 'string' }, quiet: { type: 'boolean' } },
  strict: true,
});
const tier = values.tier as Tier;
if (tier !== 'quick' && tier !== 'full') throw new Error(`--tier must be quick or full, got '${values.tier}'`);
const only = values.only ? values.only.split(',') : null;
const unknown = only?.filter((id) => !DEFINITIONS.some((d) => d.id === id)) ?? [];
if (unknown.length) throw new Error(`--only: unknown definition(s) ${unknown.join(', ')} (known: ${DEFINITIONS.map((d) => d.id).join(', ')})`);
const defs = DEFINITIONS.filter((d) => d.tiers.includes(tier) && (!only || only.includes(d.id)));
const backend = await useBackend(values.backend);
const outDir = join('repro', 'results', tier);
mkdirSync(outDir, { recursive: true });
let failed = 0;
for (const def of defs) {
  const started = Date.now();
  console.log(`\n▶ ${def.id}: ${def.title}`);
  try {
    const out = await def.run({ tier, backend, workDir: join('runs', 'repro', tier, def.id), quiet: !!values.quiet });
    const manifest = makeManifest(out.config, out.seed, backend);
    manifest.startTime = new Date(started).toISOString();
    manifest.endTime = new Date().toISOString();
    manifest.wallSeconds = (Date.now() - started) / 1000;
    manifest.status = 'finished';
    writeJsonAtomic(join(outDir, `${def.id}.json`), { id: def.id, title: def.title, reproduces: def.reproduces, tier, manifest, results: out.results });
    writeFileAtomic(join(outDir, `${def.id}.md`), `# ${def.title}\n\nReproduces: ${def.reproduces}\n\n` +
      `Commit ${manifest.git.commit ?? 'unknown'}${manifest.git.dirty ? ' (dirty)' : ''}, backend ${manifest.backend.detail}, ` +
      `${manifest.hardware.cpuModel} × ${manifest.hardware.cores}, ${manifest.wallSeconds.toFixed(1)} s.\n\n${out.markdown}`);
    console.log(`✔ ${def.id}: ${out.summary} (${manifest.wallSeconds.toFixed(1)} s) → ${join(outDir, def.id)}.json`);
  } catch (e) {
    failed++;
    console.error(`✘ ${def.id}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
releaseBackends();
console.log(`\n${defs.length - failed} of ${defs.length} definitions finished (tier ${tier}).`);
process.exit(failed ? 1 : 0);
