// Writes notebooks/tables/<id>.ipynb for every table of the reproduction suite (repro/definitions/index.ts) from
// one template (repro/notebook_template.ts) and removes the notebooks of tables that are gone. A notebook whose cells
// already equal the template's keeps its committed outputs; a rewritten one has none until `npm run notebooks`.
// usage: npx tsx scripts/make-table-notebooks.ts [--check]   (--check: change nothing, exit 1 if a notebook is
// missing, stale or orphaned)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/core/fs.js';
import { TABLES } from '../repro/definitions/index.js';
import { notebookSource, TABLE_NOTEBOOKS_DIR, tableNotebook, tableNotebookPath } from '../repro/notebook_template.js';

const check = process.argv.includes('--check');
const problems: string[] = [];
mkdirSync(TABLE_NOTEBOOKS_DIR, { recursive: true });
for (const t of TABLES) {
  const path = tableNotebookPath(t.id);
  const text = tableNotebook(t);
  const old = existsSync(path) ? readFileSync(path, 'utf8') : null;
  if (old !== null && notebookSource(old) === notebookSource(text)) continue; // same cells: keep its outputs
  if (check) problems.push(`${path}: ${old === null ? 'missing' : 'differs from the template'}`);
  else {
    writeFileAtomic(path, text);
    console.log(`wrote ${path}`);
  }
}
const known = new Set(TABLES.map((t) => `${t.id}.ipynb`));
for (const f of readdirSync(TABLE_NOTEBOOKS_DIR).filter((f) => f.endsWith('.ipynb') && !known.has(f))) {
  const path = join(TABLE_NOTEBOOKS_DIR, f);
  if (check) problems.push(`${path}: no such table in repro/definitions/index.ts`);
  else {
    rmSync(path);
    console.log(`removed ${path} (no such table)`);
  }
}
if (problems.length) {
  console.error(`${problems.join('\n')}\nrun \`npm run notebooks:tables\` to rewrite them`);
  process.exit(1);
}
