// Running scripts/run-table.mjs from a test: the test tables loaded (CHANLAB_EXTRA_TABLES), chanlab started from the
// TypeScript sources (no build needed), and a wait for a unit's first checkpoint (to kill or requeue it mid-training).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SCRIPT = join(ROOT, 'scripts', 'run-table.mjs');

/** The test tables (tables.ts), loaded by chanlab run from the TypeScript sources (no build needed). */
export const TEST_TABLES_ENV = {
  CHANLAB_EXTRA_TABLES: join(ROOT, 'test', 'scale', 'tables.ts'), CHANLAB_CMD: `${process.execPath} --import tsx src/cli/run.ts`,
};

export function scaleEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...TEST_TABLES_ENV, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp', ...extra };
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs run-table.mjs to the end (synchronously: for quick cases). */
export function runTable(args: string[], env: NodeJS.ProcessEnv = scaleEnv()): Finished {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts run-table.mjs in the background; `done` resolves when it exits. */
export function startTable(args: string[], env: NodeJS.ProcessEnv = scaleEnv()): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [SCRIPT, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Finished>((res) => child.on('close', (code) => res({ code, stdout, stderr })));
  return { child, done };
}

/** Waits until a training run has its first checkpoint and a live lock; returns the pid holding the lock. */
export async function firstCheckpoint(runDir: string, timeoutMs: number, why: () => string): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const lock = join(runDir, 'run.lock');
    if (existsSync(join(runDir, 'last.safetensors')) && existsSync(lock)) {
      try {
        return (JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid;
      } catch {
        // being written
      }
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`no checkpoint in ${runDir} after ${timeoutMs / 1000} s\n${why()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
