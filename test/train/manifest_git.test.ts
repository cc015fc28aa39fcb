// The manifest's git state: dirty when any tracked file is modified or an untracked (not ignored) file exists, but not
// because the reproduction suite wrote its own result files; null outside a checkout.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { lastCodeCommit } from '../../src/core/git.js';
import { gitState } from '../../src/train/manifest.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-git-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: 'pipe' });

it('dirty follows the tree, except repro/results; null outside git', () => {
  const repo = join(tmp, 'repo');
  mkdirSync(join(repo, 'repro', 'results', 'quick'), { recursive: true });
  mkdirSync(join(repo, 'src'));
  writeFileSync(join(repo, 'src', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(repo, 'repro', 'results', 'quick', 't.json'), '{}\n');
  writeFileSync(join(repo, '.gitignore'), 'runs/\n');
  git(repo, 'init', '-q');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'init');
  const head = git(repo, 'rev-parse', 'HEAD').toString().trim();
  expect(gitState(repo)).toEqual({ commit: head, dirty: false });
  // the suite's own output does not make the code dirty (from a sub-folder too)
  writeFileSync(join(repo, 'repro', 'results', 'quick', 't.json'), '{"rows":{}}\n');
  writeFileSync(join(repo, 'repro', 'results', 'quick', 'new.json'), '{}\n');
  mkdirSync(join(repo, 'runs'));
  writeFileSync(join(repo, 'runs', 'x.log'), 'ignored\n');
  expect(gitState(join(repo, 'src')).dirty).toBe(false);
  // an untracked source file does
  writeFileSync(join(repo, 'src', 'b.ts'), 'export const b = 2;\n');
  expect(gitState(repo).dirty).toBe(true);
  rmSync(join(repo, 'src', 'b.ts'));
  expect(gitState(repo).dirty).toBe(false);
  // a modified tracked file does
  writeFileSync(join(repo, 'src', 'a.ts'), 'export const a = 3;\n');
  expect(gitState(repo).dirty).toBe(true);
  // so does a staged one
  git(repo, 'add', 'src/a.ts');
  expect(gitState(repo).dirty).toBe(true);
  const plain = join(tmp, 'plain');
  mkdirSync(plain);
  expect(gitState(plain)).toEqual({ commit: null, dirty: null });
});

it('the code commit skips commits that change only repro/results', () => {
  const repo = join(tmp, 'code');
  mkdirSync(join(repo, 'repro', 'results'), { recursive: true });
  writeFileSync(join(repo, 'a.ts'), 'export const a = 1;\n');
  git(repo, 'init', '-q');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'code');
  const code = git(repo, 'rev-parse', 'HEAD').toString().trim();
  writeFileSync(join(repo, 'repro', 'results', 't.json'), '{}\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'results');
  expect(git(repo, 'rev-parse', 'HEAD').toString().trim()).not.toBe(code);
  expect(lastCodeCommit('HEAD', repo)).toBe(code);
  expect(lastCodeCommit('no-such-rev', repo)).toBeNull();
});
