// Running git, and the one rule about what in the tree is code: everything except the reproduction suite's result
// files (repro/results, written while it runs and committed after the code they come from). Used by run manifests
// (src/train/manifest.ts), reproduction results (repro/results.ts) and the bundle (scripts/bundle.mjs, through dist/).
import { execFileSync } from 'node:child_process';

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

/** The last commit up to `rev` that touches the code (null outside a checkout, for an unknown revision or none). */
export function lastCodeCommit(rev = 'HEAD', cwd: string = process.cwd()): string | null {
  return git(['log', '-1', '--format=%H', rev, '--', ...CODE_PATHSPEC], cwd) || null;
}

/**
 * Whether the code of the checkout holding `cwd` differs from HEAD: modified, staged, deleted or untracked (not
 * ignored) files anywhere but OUTPUT_PATHS, whichever sub-folder `cwd` is. null outside a checkout.
 */
export function codeDirty(cwd: string = process.cwd()): boolean | null {
  const top = git(['rev-parse', '--show-toplevel'], cwd);
  const status = top === null ? null : git(['status', '--porcelain', '--untracked-files=all', '--', ...CODE_PATHSPEC], top);
  return status === null ? null : status.length > 0;
}
