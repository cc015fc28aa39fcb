// Where the running chanlab package lives, found from the package's own files and never from the working directory
// first: `node /elsewhere/chanlab/bin/chanlab.js` run from any folder finds its native addon, git commit and version.
// No import.meta here (src/ compiles to CommonJS in notebooks), so the candidates are, in order: the running script
// (bin/chanlab.js, src/cli/run.ts, a test runner or notebook kernel installed inside the package), the `chanlab`
// package that script resolves, this module's own file (from a stack trace), and last the working directory.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'chanlab';

/** The nearest folder at or above `from` whose package.json is chanlab's, or undefined. */
export function findPackageRoot(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === NAME) return dir;
      } catch {
        // not a readable package.json: keep walking
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The file of this module, from the first stack frame that names it (a path, or a file: URL under ESM). */
function ownFile(): string | undefined {
  const frame = (new Error().stack ?? '').split('\n').find((l) => /package_root\.[cm]?[jt]s/.test(l));
  const m = frame && /((?:file:\/\/)?\/[^():]+package_root\.[cm]?[jt]s)/.exec(frame);
  if (!m) return undefined;
  return m[1]!.startsWith('file:') ? fileURLToPath(m[1]!) : m[1];
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function candidates(): Array<() => string | undefined> {
  const script = process.argv[1] ? real(path.resolve(process.argv[1])) : undefined;
  return [
    () => (script ? findPackageRoot(path.dirname(script)) : undefined),
    () => (script ? findPackageRoot(path.dirname(createRequire(script).resolve(NAME))) : undefined),
    () => {
      const own = ownFile();
      return own ? findPackageRoot(path.dirname(real(own))) : undefined;
    },
    () => findPackageRoot(process.cwd()),
  ];
}

let cached: { root: string | undefined } | undefined;

/** chanlab's package root (the folder of its package.json), or undefined when none of the candidates leads to it. */
export function packageRoot(): string | undefined {
  if (cached) return cached.root;
  for (const c of candidates()) {
    try {
      const root = c();
      if (root !== undefined) return (cached = { root: real(root) }).root;
    } catch {
      // this candidate does not resolve: try the next
    }
  }
  return (cached = { root: undefined }).root;
}

/** The version in chanlab's package.json, or null when the package root is unknown. */
export function packageVersion(): string | null {
  const root = packageRoot();
  if (root === undefined) return null;
  try {
    return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}
