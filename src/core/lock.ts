// Advisory lock files, the one protocol for every lock in chanlab: a lock file is created exclusively (O_EXCL) and holds
// the owner's pid, host, start time and a random token; a lock whose owner is gone (same host, pid not alive) or that is
// older than `staleMs` is broken. Two users: withFileLock, a short wait-and-retry lock `<path>.lock` next to a file that
// several processes update (read–modify–write), e.g. the result file of a reproduction table whose rows run as parallel
// processes; and tryLock, taken once and held long (a training run's `run.lock`, src/train/run_dir.ts). A pid that now belongs to another process (its start time differs from the one the lock
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

/** What a lock file says about its owner. */
export interface LockOwner {
  pid: number;
  /** '' counts as this host */
  host: string;
  time: string;
  /** random, one per taking: the lock is released only while it still holds the taker's token */
  token?: string;
  /** the owner's start time (processStartTime), when known: a pid reused by another process is not the owner */
  start?: string;
}

/** The owner recorded in lock file `lock`, or null when it is gone, being written (empty) or not a lock. */
export function readLockOwner(lock: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(lock, 'utf8')) as Partial<LockOwner>;
    if (typeof o.pid !== 'number') return null;
    return {
      pid: o.pid, host: String(o.host ?? ''), time: String(o.time ?? ''),
      ...(typeof o.token === 'string' ? { token: o.token } : {}), ...(typeof o.start === 'string' ? { start: o.start } : {}),
    };
  } catch {
    return null;
  }
}

function newOwner(): LockOwner {
  const start = processStartTime(process.pid);
  return { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), time: new Date().toISOString(), ...(start ? { start } : {}) };
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

/** When a lock counts as stale (broken by the next taker). */
export interface StaleRule {
  /** A lock older than this (ms) is stale whoever holds it (default: never). */
  staleMs?: number;
  /** A lock file that cannot be read (empty: its creator is still writing it; or corrupt) is stale after this (ms,
   *  default staleMs). */
  unreadableMs?: number;
  /** A lock recorded by this very process is stale (a run this process left unclosed may be started again). */
  ownIsStale?: boolean;
}

/** Removes `lock` when it is stale; true when it was removed (or had gone). */
function breakIfStale(lock: string, rule: StaleRule): boolean {
  const owner = readLockOwner(lock);
  const age = ageMs(lock);
  if (age === null) return true;
  const mine = rule.ownIsStale === true && owner !== null && owner.pid === process.pid && (owner.host === '' || owner.host === hostname());
  const gone = owner !== null && (mine || !ownerAlive(owner));
  const maxAge = (owner === null ? rule.unreadableMs : undefined) ?? rule.staleMs ?? Infinity;
  if (!gone && age <= maxAge) return false;
  const aside = `${lock}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lock, aside);
  } catch {
    return true; // another waiter broke it first
  }
  const moved = readLockOwner(aside);
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

/** A lock taken by tryLock: `release` removes it only while it is still ours (a stale-breaker may have replaced it);
 *  `broken` is the owner of the stale lock it replaced, if any. */
export interface TakenLock {
  release: () => void;
  broken: LockOwner | null;
}

/**
 * Tries once, without waiting, to take lock file `lock` for this process, breaking a stale one (`rule`) first.
 * Returns the taken lock, or `{ held }` with the live owner (null when its file is not readable yet). Errors other
 * than "exists" when creating the file throw `cannotCreate(error)`.
 */
export function tryLock(lock: string, rule: StaleRule = {}, cannotCreate?: (e: Error) => Error): TakenLock | { held: LockOwner | null } {
  const owner = newOwner();
  const fail = cannotCreate ?? ((e: Error) => new Error(`cannot create lock file ${lock}: ${e.message}; expected a writable directory`));
  let broken: LockOwner | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (createExclusive(lock, JSON.stringify(owner), fail)) {
      return { broken, release: () => { if (readLockOwner(lock)?.token === owner.token) rmSync(lock, { force: true }); } };
    }
    const before = readLockOwner(lock);
    if (!breakIfStale(lock, rule)) return { held: before };
    broken = before;
  }
  return { held: readLockOwner(lock) }; // another taker won the race for the broken lock
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` while holding `<path>.lock`; the lock is released however `fn` ends. */
export async function withFileLock<T>(path: string, fn: () => T | Promise<T>, o: LockOptions = {}): Promise<T> {
  const lock = `${path}.lock`;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const rule: StaleRule = { staleMs: o.staleMs ?? 120_000 };
  mkdirSync(dirname(lock), { recursive: true });
  const t0 = Date.now();
  const held = (h: LockOwner | null) => `lock ${lock} is held${h ? ` by pid ${h.pid} on ${h.host} since ${h.time}` : ''}`;
  let told = false;
  for (;;) {
    const r = tryLock(lock, rule);
    if ('release' in r) {
      try {
        return await fn();
      } finally {
        r.release();
      }
    }
    if (!told && o.onWait) {
      told = true;
      o.onWait(`${held(r.held)}; waiting up to ${timeoutMs / 1000} s (if no chanlab process is running, delete it)`);
    }
    if (Date.now() - t0 > timeoutMs) {
      throw new LockTimeoutError(`${held(r.held)}; waited ${timeoutMs} ms. If no chanlab process is running, delete the lock file`);
    }
    await sleep(o.pollMs ?? 25);
  }
}
