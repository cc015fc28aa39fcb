// Starting the command line, for every launcher (bin/chanlab.js on dist/, src/cli/run.ts through tsx for `npm run
// quick` / `npm run repro`): one exit status whichever starts it — the command's, or for an error 1, or the status
// a stopped run carries (3 diverged or non-finite, 130 SIGINT, 143 SIGTERM). It exits explicitly when the command is
// done: wasm pthreads and GPU devices would otherwise keep Node alive.
import { main } from './main.js';

function exit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

export function launch(argv: string[]): void {
  main(argv).then(exit, (err: unknown) => {
    process.stderr.write(`chanlab: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.CHANLAB_DEBUG) console.error(err);
    const code = (err as { exitCode?: unknown } | null)?.exitCode;
    exit(typeof code === 'number' && Number.isInteger(code) ? code : 1);
  });
}
