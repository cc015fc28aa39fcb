#!/usr/bin/env node
// The chanlab command line: a thin launcher for the compiled CLI in dist/ (built by `npm ci` via `prepare`).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`chanlab: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.CHANLAB_DEBUG) console.error(err);
    process.exitCode = 1;
  },
);
