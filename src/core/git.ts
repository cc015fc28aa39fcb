// Running git, and the one rule about what in the tree is code: everything except the reproduction suite's result
// files (repro/results, written while it runs and committed after the code they come from). Used by run manifests
// (src/train/manifest.ts), reproduction results (repro/results.ts) and the bundle (scripts/bundle.mjs, through dist/).
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { packageRoot } from './package_root.js';

/** Paths whose changes are outputs, not code: the reproduction suite's result files. */
export const OUTPUT_PATHS: readonly string[] = ['repro/results'];

/** The git pathspec of the code: the whole tree less OUTPUT_PATHS. */
export const CODE_PATHSPEC: readonly string[] = ['.', ...OUTPUT_PATHS.map((p) => `:(exclude)${p}`)];

/** `git <args>` in `cwd`, its output trimmed; null when git fails (no git, not a checkout, unknown revision). */
export function git(args: readonly string[], cwd: string = process.cwd()): string | null {
  try {
    return execFileSync('git', [...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/**
 * chanlab's own git checkout: its package root when that is the top of a work tree (not, say, a chanlab installed in
 * node_modules of another repository, whose commit says nothing about chanlab's code); undefined otherwise.
 */
export function codeCheckout(): string | undefined {
  const root = packageRoot();
  const top = root === undefined ? null : git(['rev-parse', '--show-toplevel'], root);
  return top !== null && root !== undefined && realpathSync(top) === root ? root : undefined;
}

/**
 * The last commit up to `rev` that touches the code (null outside a checkout, for an unknown revision or none).
 * Default: chanlab's own checkout, wherever the working directory is.
 */
export function lastCodeCommit(rev = 'HEAD', cwd: string | undefined = codeCheckout()): string | null {
  return cwd === undefined ? null : git(['log', '-1', '--format=%H', rev, '--', ...CODE_PATHSPEC], cwd) || null;
}

/**
 * Whether the code of the checkout holding `cwd` differs from HEAD: modified, staged, deleted or untracked (not
 * ignored) files anywhere but OUTPUT_PATHS, whichever sub-folder `cwd` is. null outside a checkout. Default: chanlab's own.
 */
export function codeDirty(cwd: string | undefined = codeCheckout()): boolean | null {
  const top = cwd === undefined ? null : git(['rev-parse', '--show-toplevel'], cwd);
  const status = top === null ? null : git(['status', '--porcelain', '--untracked-files=all', '--', ...CODE_PATHSPEC], top);
  return status === null ? null : status.length > 0;
}
