// A pool of worker threads (node:worker_threads) that load samples for DataLoaders: each task reads one image file,
// decodes it, runs the loader's per-sample transform (rebuilt in the thread from its spec) and writes the float32
// result into the batch's SharedArrayBuffer (pool_worker.ts). Tasks are handed out first come, first served, at
// most DEPTH per worker; the bytes of a sample depend only on (seed, epoch, index), so any number of workers gives
// the same batches.
// Failure is never a hang: a task's error rejects its batch with the file and dataset index; a worker that dies
// (uncaught error, out of memory, terminated) fails every pending and later batch with a message naming what it was
// loading. Idle workers are unref'd (they never keep the process alive); close() terminates them.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerTask } from './pool_worker.js';
import { workerModuleFile } from './pool_worker.js';
import type { TransformSpec } from './transform_spec.js';

/** Tasks in flight per worker: one computing while the next one's file is read. */
const DEPTH = 2;

// The thread's entry: imports pool_worker (through tsx's API when it is TypeScript) and starts its message loop.
const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  const { entry, tsxApi } = workerData;
  const mod = tsxApi ? await (await import(tsxApi)).tsImport(entry, entry) : await import(entry);
  mod.runDataWorker();
})().catch((e) => setImmediate(() => { throw e; }));
`;

/** What the bootstrap imports: the worker module and, for TypeScript sources, tsx's import API. */
function workerEntry(): { entry: string; tsxApi: string | null } {
  const file = workerModuleFile();
  if (!file || !existsSync(file)) {
    throw new Error(`data workers: cannot locate the worker module (pool_worker.ts/.js${file ? ` at ${file}` : ''}); use DataLoader without workers`);
  }
  if (!file.endsWith('.ts')) return { entry: pathToFileURL(file).href, tsxApi: null };
  let api: string;
  try {
    // the ESM build of tsx's API (require.resolve would give the CommonJS one)
    const pj = createRequire(file).resolve('tsx/package.json');
    const exp = (JSON.parse(readFileSync(pj, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']!;
    api = path.join(path.dirname(pj), exp.import.default);
  } catch {
    throw new Error(`data workers: running from TypeScript sources (${file}) needs the tsx package to load them in worker threads; install it (npm ci) or use the built dist/`);
  }
  return { entry: pathToFileURL(file).href, tsxApi: pathToFileURL(api).href };
}

/** The default worker count: the machine's cores. */
export const defaultDataWorkers = (): number => availableParallelism();

export function checkWorkerCount(n: unknown, what = 'workers'): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new Error(`${what}: expected a positive integer (data worker threads; default: the machine's ${availableParallelism()} cores), got ${String(n)}`);
  }
  return n;
}

export interface PoolTask {
  path: string;
  name: string;
  epoch: number;
  index: number;
  /** float offset of the sample in the batch buffer */
  offset: number;
}

interface Pending {
  tasks: PoolTask[];
  remaining: number;
  buffer: SharedArrayBuffer;
  job: number;
  resolve: () => void;
  reject: (e: Error) => void;
  settled: boolean;
}

interface Slot {
  worker: Worker;
  /** task id → (batch, task) */
  inFlight: Map<number, { batch: Pending; task: PoolTask }>;
}

export class DataWorkerPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Array<{ batch: Pending; task: PoolTask }> = [];
  private nextId = 0;
  private nextJob = 0;
  private failure: Error | null = null;
  private closed = false;

  constructor(workers: number) {
    this.size = checkWorkerCount(workers);
    const workerData = workerEntry();
    for (let k = 0; k < this.size; k++) {
      const worker = new Worker(BOOT, { eval: true, workerData, stdout: false, stderr: false });
      const slot: Slot = { worker, inFlight: new Map() };
      worker.unref();
      worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
      worker.on('error', (e) => this.fail(k, slot, `error: ${e.message}`));
      worker.on('exit', (code) => this.fail(k, slot, `exit code ${code}`));
      this.slots.push(slot);
    }
  }

  /** The worker threads (tests use them to simulate a crash). */
  get threads(): readonly Worker[] {
    return this.slots.map((s) => s.worker);
  }

  /** Registers a loader's transform and seed with every worker; returns the job id its batches use. */
  addJob(spec: TransformSpec | null, seed: number, shape: [number, number, number]): number {
    this.check();
    const job = this.nextJob++;
    for (const s of this.slots) s.worker.postMessage({ type: 'job', job, spec, seed, shape } satisfies ToWorker);
    return job;
  }

  /** Loads a batch's samples into `buffer`; rejects with the first sample's error or the pool's failure. */
  run(job: number, tasks: PoolTask[], buffer: SharedArrayBuffer): Promise<void> {
    this.check();
    return new Promise<void>((resolve, reject) => {
      const batch: Pending = { tasks, remaining: tasks.length, buffer, job, resolve, reject, settled: false };
      if (tasks.length === 0) return resolve();
      for (const task of tasks) this.queue.push({ batch, task });
      this.dispatch();
    });
  }

  /** Terminates the workers; pending batches are rejected. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failure ??= new Error('data worker pool: closed');
    this.rejectAll(this.failure);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  private dispatch(): void {
    for (const s of this.slots) {
      while (s.inFlight.size < DEPTH && this.queue.length > 0) {
        const item = this.queue.shift()!;
        if (item.batch.settled) continue; // its batch already failed
        const id = this.nextId++;
        s.inFlight.set(id, item);
        const { task, batch } = item;
        s.worker.ref();
        s.worker.postMessage({
          type: 'task', id, job: batch.job, buffer: batch.buffer, offset: task.offset, path: task.path, name: task.name,
          epoch: task.epoch, index: task.index,
        } satisfies WorkerTask);
      }
    }
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    const item = slot.inFlight.get(m.id);
    if (!item) return;
    slot.inFlight.delete(m.id);
    if (slot.inFlight.size === 0) slot.worker.unref();
    const b = item.batch;
    if (m.type === 'error') this.settle(b, new Error(m.message));
    else if (--b.remaining === 0) this.settle(b, null);
    this.dispatch();
  }

  private settle(b: Pending, err: Error | null): void {
    if (b.settled) return;
    b.settled = true;
    if (err) b.reject(err);
    else b.resolve();
  }

  private rejectAll(e: Error): void {
    for (const s of this.slots) {
      for (const { batch } of s.inFlight.values()) this.settle(batch, e);
      s.inFlight.clear();
    }
    for (const { batch } of this.queue.splice(0)) this.settle(batch, e);
  }

  /** A worker stopped: unless the pool is closing, that is a crash, and the pool fails. */
  private fail(k: number, slot: Slot, how: string): void {
    if (this.closed || this.failure) return;
    const loading = [...slot.inFlight.values()].map((i) => i.task.name);
    this.failure = new Error(`data worker ${k + 1} of ${this.size} stopped unexpectedly (${how})` +
      (loading.length ? ` while loading ${loading.join(' and ')}` : '') + '; the data pipeline cannot continue (rerun; --resume continues from the last checkpoint)');
    this.rejectAll(this.failure);
    void Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
