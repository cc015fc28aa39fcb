// Atomic file writes: write to a temp file in the same directory, fsync, then rename over the target.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { processAlive } from './lock.js';

/** The temp file writeFileAtomic uses for `path`: `.<name>.<pid>.<time>.tmp` next to it. */
const TEMP_NAME = /^\..+\.(\d+)\.\d+\.tmp$/;

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fd = openSync(tmp, 'w');
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    // name the file: a bare "EFBIG: file too large, write" / "ENOSPC" does not say which write failed
    throw new Error(`cannot write ${path} (${bytes.length} bytes): ${(e as Error).message}; expected a writable location with room for it`);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Removes temp files of writeFileAtomic left in `dir` by processes that died mid-write (kill -9, a crash); returns them. */
export function removeOrphanTemps(dir: string): string[] {
  const gone: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return gone;
  }
  for (const f of names) {
    const m = TEMP_NAME.exec(f);
    if (!m || (Number(m[1]) !== process.pid && processAlive(Number(m[1])))) continue;
    rmSync(join(dir, f), { force: true });
    gone.push(f);
  }
  return gone;
}
