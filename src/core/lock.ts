// An advisory lock file next to a file that several processes update (read–modify–write), e.g. the result file of a
// reproduction table whose rows run as parallel processes. `<path>.lock` is created exclusively (O_EXCL) and holds the
// owner's pid, host and a random token; a lock whose owner is gone (same host, pid not alive) or that is older than
// `staleMs` is broken. A pid that now belongs to another process (its start time differs from the one the lock
// recorded: the pid was reused, e.g. after a reboot) counts as gone. Breaking renames the stale file away first (atomic: only one waiter wins) and puts it back when
// it turns out to be another, live owner's lock.
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

export interface LockOptions {
  /** Give up after this long (ms, default 60 000): an Error names the lock file and its owner. */
  timeoutMs?: number;
  /** A lock older than this (ms, default 120 000) is stale whoever holds it; hold times are expected to be short. */
  staleMs?: number;
  /** Poll interval while waiting (ms, default 25). */
  pollMs?: number;
  /** Called once when the lock is found held by a live owner (to say that this process waits, and for whom). */
  onWait?: (message: string) => void;
}

/** Waiting for a lock took longer than its timeout: the caller should stop, not try again for each item. */
export class LockTimeoutError extends Error {}

interface Owner {
  pid: number;
  host: string;
  token: string;
  time: string;
  /** the owner's start time (processStartTime), when known */
  start?: string;
}

function readOwner(lock: string): Owner | null {
  try {
    const o = JSON.parse(readFileSync(lock, 'utf8')) as Partial<Owner>;
    return typeof o.pid === 'number' && typeof o.token === 'string' ? (o as Owner) : null;
  } catch {
    return null; // gone, or being written (an empty file): not stale by content
  }
}

/** Whether process `pid` exists on this host (EPERM: it exists but belongs to another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When process `pid` started (clock ticks since boot, /proc/<pid>/stat field 22), or null where unknown. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether the process a lock names still holds it: on another host we cannot tell (so yes); on this host its pid
 * must exist and, when the lock recorded a start time, still be the process that started then (not a reused pid).
 */
export function ownerAlive(o: { pid: number; host: string; start?: string | null }): boolean {
  if (o.host !== '' && o.host !== hostname()) return true;
  if (!processAlive(o.pid)) return false;
  const now = o.start ? processStartTime(o.pid) : null;
  return !(o.start && now !== null && now !== o.start);
}

function ageMs(lock: string): number | null {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Creates `path` holding `body` only when no such file exists (O_EXCL); false when it exists. Any other failure to
 * create it throws `cannotCreate(error)`.
 */
export function createExclusive(path: string, body: string, cannotCreate: (e: Error) => Error): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw cannotCreate(e as Error);
  }
  try {
    writeSync(fd, body);
  } finally {
    closeSync(fd);
  }
  return true;
}

function tryCreate(lock: string, owner: Owner): boolean {
  return createExclusive(lock, JSON.stringify(owner), (e) => new Error(`cannot create lock file ${lock}: ${e.message}; expected a writable directory`));
}

/** Removes `lock` when it is stale; true when it was removed (or had gone). */
function breakIfStale(lock: string, staleMs: number): boolean {
  const owner = readOwner(lock);
  const age = ageMs(lock);
  if (age === null) return true;
  const dead = owner !== null && owner.host === hostname() && !ownerAlive(owner);
  if (!dead && age <= staleMs) return false;
  const aside = `${lock}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lock, aside);
  } catch {
    return true; // another waiter broke it first
  }
  const moved = readOwner(aside);
  if (owner && moved && moved.token !== owner.token) {
    // between our read and the rename a live owner took the lock: put it back (fails only if yet another took it)
    try {
      linkSync(aside, lock);
    } catch {
      /* the lock is taken again anyway */
    }
  }
  rmSync(aside, { force: true });
  return true;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` while holding `<path>.lock`; the lock is released however `fn` ends. */
export async function withFileLock<T>(path: string, fn: () => T | Promise<T>, o: LockOptions = {}): Promise<T> {
  const lock = `${path}.lock`;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const staleMs = o.staleMs ?? 120_000;
  const owner: Owner = {
    pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), time: new Date().toISOString(),
    ...(processStartTime(process.pid) ? { start: processStartTime(process.pid)! } : {}),
  };
  mkdirSync(dirname(lock), { recursive: true });
  const t0 = Date.now();
  const held = (h: Owner | null) => `lock ${lock} is held${h ? ` by pid ${h.pid} on ${h.host} since ${h.time}` : ''}`;
  let told = false;
  while (!tryCreate(lock, owner)) {
    if (breakIfStale(lock, staleMs)) continue;
    if (!told && o.onWait) {
      told = true;
      o.onWait(`${held(readOwner(lock))}; waiting up to ${timeoutMs / 1000} s (if no chanlab process is running, delete it)`);
    }
    if (Date.now() - t0 > timeoutMs) {
      throw new LockTimeoutError(`${held(readOwner(lock))}; waited ${timeoutMs} ms. If no chanlab process is running, delete the lock file`);
    }
    await sleep(o.pollMs ?? 25);
  }
  try {
    return await fn();
  } finally {
    // release only our own lock (a stale-breaker may have replaced it after staleMs)
    if (readOwner(lock)?.token === owner.token) rmSync(lock, { force: true });
  }
}
