// The run directory's files and lifecycle: paths, an exclusive lock (run.lock, a src/core/lock.ts lock file held for
// the whole run; a lock left by a dead process, or by this process, is taken over), what state a directory is in (empty, a run without a checkpoint yet, a run with
// one), and reading its JSON files with errors that name the file and line.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { removeOrphanTemps, writeJsonAtomic } from '../core/fs.js';
import { ownerAlive, readLockOwner, tryLock, type LockOwner } from '../core/lock.js';
import { warnOnce } from '../core/warn.js';

export function runPaths(runDir: string) {
  return {
    config: join(runDir, 'config.json'),
    manifest: join(runDir, 'manifest.json'),
    metrics: join(runDir, 'metrics.jsonl'),
    last: join(runDir, 'last.safetensors'),
    best: join(runDir, 'best.safetensors'),
    final: join(runDir, 'final.safetensors'),
    lock: join(runDir, 'run.lock'),
  };
}

/**
 * 'empty': nothing of a run; 'started': config.json but no checkpoint (the run stopped before its first one: it may
 * be started again in place); 'checkpointed': last.safetensors exists (resume it).
 */
export type RunDirState = 'empty' | 'started' | 'checkpointed';

export function runDirState(runDir: string): RunDirState {
  const p = runPaths(runDir);
  if (existsSync(p.last)) return 'checkpointed';
  if (existsSync(p.config) || existsSync(p.manifest)) return 'started';
  return 'empty';
}

/** When run.lock is stale: its process is gone or is this one (never by age: a run holds it for hours); a file that
 *  cannot be read (corrupt) after 1 s (a creator writes it at once). */
const RUN_LOCK_RULE = { ownIsStale: true, unreadableMs: 1000 };

/** The live process holding the run directory's lock (another one than this process), or null. */
export function lockHolder(runDir: string): LockOwner | null {
  const info = readLockOwner(runPaths(runDir).lock);
  if (!info || info.pid === process.pid) return null;
  return ownerAlive(info) ? info : null; // another machine: cannot tell, so assume live
}

function busy(runDir: string, h: LockOwner): Error {
  const lock = runPaths(runDir).lock;
  return new Error(`runDir: ${runDir} is in use by process ${h.pid}${h.host && h.host !== hostname() ? ` on ${h.host}` : ''} ` +
    `(lock ${lock}, since ${h.time}); wait for it to end or stop it, or choose another directory. If process ${h.pid} is ` +
    `not a chanlab run of this directory (check \`ps -p ${h.pid}\`${h.host && h.host !== hostname() ? ` on ${h.host}` : ''}), delete ${lock}`);
}

/** Fails at once when a live process holds the directory (the check before any work is done). */
export function checkNotLocked(runDir: string): void {
  const h = lockHolder(runDir);
  if (h) throw busy(runDir, h);
}

/**
 * Under the lock: what a process that died without closing the run left (a native crash such as signal 11, kill -9,
 * a power cut): temp files of its unfinished writes go, and a manifest still 'running' (no live process holds the
 * run) records 'failed' with the reason. `dead` is the lock it left, if any.
 */
function closeDeadRun(runDir: string, dead: LockOwner | null): void {
  const p = runPaths(runDir);
  const temps = removeOrphanTemps(runDir);
  if (temps.length) warnOnce(`runDir: removed ${temps.length} temp file(s) of an interrupted write in ${runDir} (${temps.slice(0, 3).join(', ')})`);
  if (!existsSync(p.manifest)) return;
  let m: { status?: unknown; message?: string; endTime?: string | null };
  try {
    m = JSON.parse(readFileSync(p.manifest, 'utf8')) as typeof m;
  } catch {
    return; // a corrupt manifest is reported by whoever reads it next
  }
  if (m === null || typeof m !== 'object' || m.status !== 'running') return;
  const who = dead ? `process ${dead.pid}${dead.time ? ` (started ${dead.time})` : ''}` : 'the process running it';
  m.status = 'failed';
  m.message = `${who} ended without closing the run (a crash such as signal 11, an out-of-memory kill or kill -9); ` +
    `found by process ${process.pid} at ${new Date().toISOString()}`;
  if (existsSync(p.metrics)) m.endTime = statSync(p.metrics).mtime.toISOString(); // its last sign of life
  writeJsonAtomic(p.manifest, m);
  warnOnce(`runDir: ${runDir}: ${m.message}; its manifest now says failed`);
}

/**
 * Takes the directory's lock (the directory must exist); a lock of a dead process is taken over, and what that
 * process left is closed (closeDeadRun). Returns the release function (removes the lock only while it is still ours).
 */
export function acquireRunLock(runDir: string): () => void {
  const path = runPaths(runDir).lock;
  const r = tryLock(path, RUN_LOCK_RULE, (e) => new Error(`runDir: cannot create the lock ${path} (${e.message})`));
  if ('held' in r) {
    throw r.held ? busy(runDir, r.held) : new Error(`runDir: could not take the lock ${path} (another process took it over at the same time)`);
  }
  closeDeadRun(runDir, r.broken);
  return r.release;
}

/** Parses a JSON file; errors name the file and say what it should hold. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${what}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what}: ${path} is not valid JSON (${(e as Error).message}); expected the ${what} a run writes`);
  }
}

/**
 * The lines of metrics.jsonl as parsed records. A last line without its newline that does not parse is a write cut
 * short by a kill and is dropped; any other corrupt line is an error naming the file and line number.
 */
export function readMetrics(path: string): Array<{ line: string; record: { step?: number } }> {
  const out: Array<{ line: string; record: { step?: number } }> = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line) return;
    try {
      out.push({ line, record: JSON.parse(line) as { step?: number } });
    } catch (e) {
      if (i === lines.length - 1) return; // torn final write
      throw new Error(`metrics: ${path} line ${i + 1} is not valid JSON (${(e as Error).message}); expected one JSON object per line`);
    }
  });
  return out;
}
