// Runs the command line from the TypeScript sources (`tsx src/cli/run.ts <command> …`, used by `npm run quick` and
// `npm run repro`): the same as bin/chanlab.js without a build, with the same exit statuses (src/cli/launch.ts).
import { launch } from './launch.js';

launch(process.argv.slice(2));
