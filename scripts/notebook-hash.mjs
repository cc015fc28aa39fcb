#!/usr/bin/env node
// The source hash of a notebook: what its committed outputs must come from. It covers every cell's type and source
// and the files the notebook declares it reads (metadata.chanlab.inputs: repository paths, `*` matches within one
// path segment), so editing a cell or regenerating a result file it shows makes the outputs stale.
// tools/run-notebooks.py stamps it (metadata.chanlab.source_sha256) on every notebook it executes in place;
// test/notebooks/fresh.test.ts checks the committed notebooks with --check.
//   node scripts/notebook-hash.mjs NOTEBOOK.ipynb      prints the hash
//   node scripts/notebook-hash.mjs --check [NB ...]    exit 1 naming every notebook whose outputs are stale,
//                                                     unexecuted or failed (default: notebooks/**/*.ipynb)
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const text = (s) => (Array.isArray(s) ? s.join('') : String(s ?? ''));

/** Repository files matching a declared input (one `*` per segment at most matters here), sorted. */
function expand(pattern) {
  const parts = pattern.split('/');
  let paths = [''];
  for (const part of parts) {
    const re = new RegExp(`^${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    paths = paths.flatMap((p) => {
      const dir = path.join(ROOT, p);
      if (!part.includes('*')) return [path.join(p, part)];
      return existsSync(dir) ? readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => path.join(p, f)) : [];
    });
  }
  return paths.filter((p) => existsSync(path.join(ROOT, p)));
}

export function sourceHash(nb) {
  const h = createHash('sha256');
  for (const c of nb.cells ?? []) h.update(`${c.cell_type}\0${text(c.source)}\0`);
  for (const pattern of nb.metadata?.chanlab?.inputs ?? []) {
    h.update(`input\0${pattern}\0`);
    for (const f of expand(pattern)) h.update(`${f}\0${createHash('sha256').update(readFileSync(path.join(ROOT, f))).digest('hex')}\0`);
  }
  return h.digest('hex');
}

/** Why a committed notebook's outputs cannot be trusted, or null. */
export function staleness(file) {
  const nb = JSON.parse(readFileSync(file, 'utf8'));
  const stamped = nb.metadata?.chanlab?.source_sha256;
  if (stamped === undefined) return 'never executed by npm run notebooks (no metadata.chanlab.source_sha256)';
  if (stamped !== sourceHash(nb)) return 'its cells or the files it reads changed since its outputs were made';
  const code = (nb.cells ?? []).filter((c) => c.cell_type === 'code');
  const unrun = code.findIndex((c) => c.execution_count === null || c.execution_count === undefined);
  if (unrun >= 0) return `code cell ${unrun + 1} has not run`;
  const failed = code.findIndex((c) => (c.outputs ?? []).some((o) => o.output_type === 'error'));
  if (failed >= 0) return `code cell ${failed + 1} failed`;
  return null;
}

function allNotebooks(dir = path.join(ROOT, 'notebooks')) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'executed' ? [] : allNotebooks(p);
    return e.name.endsWith('.ipynb') ? [p] : [];
  }).sort();
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--check') {
    const files = args.length > 1 ? args.slice(1) : allNotebooks();
    const bad = files.map((f) => [f, staleness(f)]).filter(([, why]) => why !== null);
    for (const [f, why] of bad) console.error(`${path.relative(ROOT, path.resolve(f))}: ${why}; run \`npm run notebooks -- ${path.relative(ROOT, path.resolve(f))}\``);
    process.exit(bad.length > 0 ? 1 : 0);
  }
  if (args.length !== 1) {
    console.error('usage: node scripts/notebook-hash.mjs NOTEBOOK.ipynb | --check [NOTEBOOK.ipynb ...]');
    process.exit(2);
  }
  console.log(sourceHash(JSON.parse(readFileSync(args[0], 'utf8'))));
}
