#!/usr/bin/env node
// The chanlab command line: a thin launcher for the compiled CLI in dist/src/ (built by `npm ci` via `prepare`).
// It exits explicitly when the command is done: wasm pthreads and GPU devices would otherwise keep Node alive.
import { main } from '../dist/src/cli/main.js';

function exit(code) {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv.slice(2)).then(exit, (err) => {
  process.stderr.write(`chanlab: ${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.CHANLAB_DEBUG) console.error(err);
  // runs stopped on purpose carry their own status (3 diverged, 130 SIGINT, 143 SIGTERM)
  exit(err && Number.isInteger(err.exitCode) ? err.exitCode : 1);
});
