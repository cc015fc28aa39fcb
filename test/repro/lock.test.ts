// Rows of one table run as parallel processes: the lock file serialises read–modify–write across processes, a stale
// lock (dead owner, or too old) is broken, a live one makes a waiter time out with the owner named; two runs of
// different rows of one table both land in its result file.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { withFileLock } from '../../src/core/lock.js';
import type { TableDefinition } from '../../repro/definition.js';
import { loadResult } from '../../repro/results.js';
import { runTables } from '../../repro/runner.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-lock-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('three processes incrementing one file under the lock lose no update', async () => {
  const file = join(tmp, 'counter');
  writeFileSync(file, '0');
  const kids = [0, 1, 2].map(() => spawn(process.execPath, ['--import', 'tsx', 'test/repro/child_lock.ts', file, '25'], { stdio: ['ignore', 'ignore', 'pipe'] }));
  const codes = await Promise.all(kids.map((k) => new Promise<number | null>((res) => k.on('exit', (c) => res(c)))));
  expect(codes).toEqual([0, 0, 0]);
  expect(readFileSync(file, 'utf8')).toBe('75');
  expect(existsSync(`${file}.lock`)).toBe(false);
}, 60_000);

it('a lock of a dead process or an old one is broken; a live fresh one times out naming its owner', async () => {
  const file = join(tmp, 'data');
  const lock = `${file}.lock`;
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(lock, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), token: 'dead', time: new Date().toISOString() }));
  expect(await withFileLock(file, () => 'ran', { timeoutMs: 2000 })).toBe('ran');
  expect(existsSync(lock)).toBe(false);
  // a live owner (this process) but older than staleMs
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), token: 'old', time: '2020-01-01T00:00:00Z' }));
  const old = new Date(Date.now() - 10 * 60_000);
  utimesSync(lock, old, old);
  expect(await withFileLock(file, () => 'ran', { timeoutMs: 2000, staleMs: 60_000 })).toBe('ran');
  // a live, fresh owner: wait, then an error naming the lock and its owner; the lock stays
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), token: 'live', time: '2026-01-01T00:00:00Z' }));
  await expect(withFileLock(file, () => 'ran', { timeoutMs: 200 })).rejects.toThrow(new RegExp(`lock .*data\\.lock is held by pid ${process.pid} on .* since 2026-01-01T00:00:00Z; waited 200 ms`));
  expect(JSON.parse(readFileSync(lock, 'utf8')).token).toBe('live');
  rmSync(lock);
  // released when the function throws
  await expect(withFileLock(file, () => {
    throw new Error('boom');
  })).rejects.toThrow('boom');
  expect(existsSync(lock)).toBe(false);
});

it('two runs of different rows of one table, interleaved, both land in the result file', async () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const row = (id: string, delays: number[]) => ({
    id, label: id, config: { id }, metrics: ['count'],
    async compute() {
      for (const d of delays) await sleep(d);
      return { count: id.length };
    },
  });
  const table: TableDefinition = {
    id: 'par', title: 'parallel rows', source: { paper: 'PiX', table: 'none', doc: 'docs/methods/pix.md §8' }, tiers: ['quick'],
    metrics: [{ key: 'count', label: 'count', unit: '', decimals: 0 }],
    rows: [row('a', [5, 40]), row('bb', [30]), row('ccc', [1, 1, 1])],
  };
  const opts = { tier: 'quick', backend: 'cpu', outDir: join(tmp, 'results'), workDir: join(tmp, 'runs'), quiet: true, log: () => {} };
  // each run reads the (missing) file before the others write: without the merge the last write would drop the others' rows
  const runs = await Promise.all([runTables([table], { ...opts, select: ['par/a'] }), runTables([table], { ...opts, select: ['par/bb'] }),
    runTables([table], { ...opts, select: ['par/ccc'] })]);
  expect(runs.map((r) => r[0]!.ran)).toEqual([1, 1, 1]);
  const file = loadResult(join(tmp, 'results', 'quick', 'par.json'), 'par', 'quick')!;
  expect(Object.keys(file.rows).sort()).toEqual(['a', 'bb', 'ccc']);
  expect(file.rows.bb!.computed!.metrics.count).toBe(2);
  expect(readFileSync(join(tmp, 'results', 'quick', 'par.md'), 'utf8')).toMatch(/\| a `a` \| count \| — \| 1 \|[\s\S]*\| ccc `ccc` \| count \| — \| 3 \|/);
});
