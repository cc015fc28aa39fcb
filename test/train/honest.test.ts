// Metrics that cannot be fooled and errors that say what to change: top-k with NaN logits and bad labels,
// evaluate() reporting non-finite outputs, out-of-memory and failed writes named, the run lock.
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/core/fs.js';
import { topkCorrect } from '../../src/train/loss.js';
import { explainMemoryError } from '../../src/train/memory.js';
import { acquireRunLock, checkNotLocked } from '../../src/train/run_dir.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-honest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('topkCorrect', () => {
  it('a row holding NaN is wrong at every k (an all-NaN model scores 0, not 100%)', () => {
    const nan = new Float32Array(6).fill(NaN);
    expect(topkCorrect(nan, 3, Int32Array.from([0, 2]), [1, 3])).toEqual([0, 0]);
    const mixed = Float32Array.from([5, NaN, 1, 0, 1, 2]);
    expect(topkCorrect(mixed, 3, Int32Array.from([0, 2]), [1, 3])).toEqual([1, 1]);
  });

  it('a label outside [0, K) is an error naming the class count', () => {
    expect(() => topkCorrect(new Float32Array(4), 2, Int32Array.from([0, 7]), [1])).toThrow(/label 7 of sample 1 is outside \[0, 2\) \(the model has 2 classes\)/);
  });
});

describe('messages', () => {
  it('out of memory names the parameter; other errors pass through', () => {
    const e = explainMemoryError(new RangeError('memory access out of bounds'), 'batchSize', 100000, 'training') as Error;
    expect(e.message).toMatch(/^batchSize: training with batchSize 100000 ran out of memory \(memory access out of bounds\); expected a smaller batchSize/);
    const other = new Error('something else');
    expect(explainMemoryError(other, 'batchSize', 1, 'training')).toBe(other);
  });

  it('a failed atomic write names the file', () => {
    writeFileSync(join(tmp, 'afile'), 'x');
    expect(() => writeFileAtomic(join(tmp, 'afile', 'sub', 'last.safetensors'), 'data')).toThrow(/afile\/sub/);
    mkdirSync(join(tmp, 'ro'));
    expect(() => writeFileAtomic(join(tmp, 'ro'), 'data')).toThrow(/cannot write .*ro \(4 bytes\)/);
  });
});

describe('run lock', () => {
  it('one holder at a time; this process may not take a live lock twice; released locks are free again', () => {
    const dir = join(tmp, 'run');
    mkdirSync(dir);
    const release = acquireRunLock(dir);
    // a lock of a live process (our parent) is respected
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: process.ppid, host: '', time: 't' }));
    expect(() => checkNotLocked(dir)).toThrow(new RegExp(`in use by process ${process.ppid} \\(lock .*run\\.lock, since t\\)`));
    expect(() => acquireRunLock(dir)).toThrow(/in use by process/);
    release(); // not ours any more: left alone
    expect(() => checkNotLocked(dir)).toThrow(/in use/);
    rmSync(join(dir, 'run.lock'));
    const again = acquireRunLock(dir);
    again();
    checkNotLocked(dir);
  });

  it('a lock this process left, or a corrupt one older than 1 s, is taken over; a fresh empty one is being written', () => {
    const dir = join(tmp, 'run-stale');
    mkdirSync(dir);
    const lock = join(dir, 'run.lock');
    acquireRunLock(dir); // never released, as by a train() interrupted in a notebook
    const again = acquireRunLock(dir);
    again();
    expect(existsSync(lock)).toBe(false);
    writeFileSync(lock, '');
    expect(() => acquireRunLock(dir)).toThrow(/could not take the lock .*run\.lock/);
    const old = new Date(Date.now() - 5000);
    utimesSync(lock, old, old);
    acquireRunLock(dir)();
    expect(existsSync(lock)).toBe(false);
  });
});
