// The worker-thread side of DataWorkerPool (worker_pool.ts). A worker holds the jobs (one per DataLoader: the
// transform rebuilt from its spec, the seed, the output shape) and runs tasks: read one image file, decode it
// (decode.ts), transform it with the sample's own random stream and write the float32 result into the batch's
// SharedArrayBuffer. The bytes depend only on (seed, epoch, dataset index), never on which worker ran the task.
// Importing this module starts nothing; the pool's bootstrap calls runDataWorker() inside the thread.
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import type { Rng } from '../core/rng.js';
import { decodeImage, readImageFile } from './decode.js';
import type { Image } from './image.js';
import { transformFromSpec } from './presets.js';
import { prepareSample } from './sample.js';
import type { TransformSpec } from './transform_spec.js';

export interface WorkerJob {
  type: 'job';
  job: number;
  spec: TransformSpec | null;
  seed: number;
  /** [H, W, C] every sample of the job must have after its transform */
  shape: [number, number, number];
}

export interface WorkerTask {
  type: 'task';
  id: number;
  job: number;
  /** the batch: [N, H, W, C] float32; this sample goes to floats [offset, offset + H·W·C) */
  buffer: SharedArrayBuffer;
  offset: number;
  path: string;
  /** names the sample in errors (file and dataset index) */
  name: string;
  epoch: number;
  index: number;
}

export type ToWorker = WorkerJob | WorkerTask;
export type FromWorker = { type: 'done'; id: number } | { type: 'error'; id: number; message: string };

interface Job {
  transform: ((img: Image, rng: Rng) => Image) | undefined;
  seed: number;
  shape: [number, number, number];
}

async function runTask(t: WorkerTask, job: Job | undefined): Promise<void> {
  if (!job) throw new Error(`data worker: task for unknown job ${t.job}`);
  const img = decodeImage(await readImageFile(t.path, t.name), t.name);
  const out = prepareSample(img, job.transform, job.seed, t.epoch, t.index);
  const [h, w, c] = job.shape;
  if (out.height !== h || out.width !== w || out.channels !== c) {
    throw new Error(`${t.name}: the transform gives shape [${out.height}, ${out.width}, ${out.channels}], the batch has [${h}, ${w}, ${c}]`);
  }
  new Float32Array(t.buffer, t.offset * 4, h * w * c).set(out.data);
}

/** The message loop of a data worker thread. */
export function runDataWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runDataWorker: not running in a worker thread');
  const jobs = new Map<number, Job>();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'job') {
      jobs.set(m.job, { transform: m.spec ? transformFromSpec(m.spec) : undefined, seed: m.seed, shape: m.shape });
      return;
    }
    runTask(m, jobs.get(m.job)).then(
      () => port.postMessage({ type: 'done', id: m.id } satisfies FromWorker),
      (e: unknown) => port.postMessage({ type: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) } satisfies FromWorker),
    );
  });
}

/**
 * The file of this module (the .ts source under tsx/vitest, the compiled .js in dist/), read from a stack frame:
 * src/ may not use import.meta (it is also compiled to CommonJS), and the worker must load the same code as the pool.
 */
export function workerModuleFile(): string | undefined {
  const frame = (new Error().stack ?? '').split('\n').find((l) => /pool_worker\.(ts|js|mjs|cjs)/.test(l));
  const m = frame ? /(file:\/\/\/[^\s():]+|\/[^\s():]+)(?::\d+){1,2}\)?\s*$/.exec(frame) : null;
  if (!m) return undefined;
  return m[1]!.startsWith('file:') ? fileURLToPath(m[1]!) : m[1]!;
}
