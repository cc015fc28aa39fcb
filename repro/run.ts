// `npm run quick` / `npm run repro -- …`: the `chanlab repro` command run from the TypeScript sources (no build needed).
import { main } from '../src/cli/main.js';

main(['repro', ...process.argv.slice(2)]).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`chanlab repro: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
