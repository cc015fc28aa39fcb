// Runs the command line from the TypeScript sources (`tsx src/cli/run.ts <command> …`, used by `npm run quick` and
// `npm run repro`): the same as bin/chanlab.js without a build. Exits explicitly, as the launcher does.
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`chanlab: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
