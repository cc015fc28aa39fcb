// A deterministic, resumable, prefetching data loader producing NHWC float32 batches.
//  - order: epoch e is a permutation drawn from keyedRng(seed, ORDER, e) (or 0..N−1 without shuffle);
//  - per-sample augmentation randomness: keyedRng(seed, SAMPLE, e, datasetIndex); per-batch (mixup/cutmix):
//    keyedRng(seed, BATCH, e, batchIndex). Any batch can therefore be rebuilt from (seed, epoch, batch) alone, so
//    resuming from state() = {epoch, position} reproduces exactly the batches an uninterrupted run would have seen;
//  - async iteration with `prefetch` batches built ahead while the consumer works; batch building yields to the event
//    loop (setImmediate) every `chunkMs` so training code awaiting a GPU keeps running;
//  - `workers`: for datasets of image files (ImageFolder) with a preset transform, samples are read, decoded and
//    transformed in worker threads (worker_pool.ts) straight into the batch's shared memory. The bytes are the same
//    for any number of workers and equal to the calling-thread path (sample.ts). Memory: at most `prefetch` batches
//    being built or waiting plus the one the consumer holds, each N·H·W·C·4 bytes, plus per worker two images in
//    flight (decoded and transformed);
//  - every batch records how long the consumer waited for it (`waitMs`).
import type { Rng } from '../core/rng.js';
import type { Dataset } from './dataset.js';
import type { Image } from './image.js';
import { mixBatch, oneHot, type MixOptions } from './mix.js';
import { batchRng, orderRng, prepareSample } from './sample.js';
import type { Transform } from './transform_spec.js';
import type { DataWorkerPool } from './worker_pool.js';
import { WorkerSamples } from './worker_samples.js';

export type { Transform } from './transform_spec.js';

export interface Batch {
  /** [N, H, W, C] float32 */
  x: Float32Array;
  /** [N] integer labels */
  y: Int32Array;
  /** [N, numClasses] soft targets (set by a batch transform such as mixup/cutmix) */
  softY?: Float32Array;
  shape: [number, number, number, number];
  /** dataset indices of the samples */
  indices: Int32Array;
  epoch: number;
  /** batch index within the epoch */
  batch: number;
  /** ms the iterating consumer waited for this batch (0 when it was ready; unset from batchAt) */
  waitMs?: number;
}

export type BatchTransform = (batch: Batch, rng: Rng) => Batch;

export interface LoaderState {
  /** epoch of the next batch to deliver */
  epoch: number;
  /** index within that epoch of the next batch to deliver */
  position: number;
}

export interface DataLoaderOptions {
  dataset: Dataset;
  batchSize: number;
  shuffle?: boolean;
  seed?: number;
  dropLast?: boolean;
  /** per-sample transform; a uint8 result is scaled to float32 /255 */
  transform?: Transform;
  /** per-batch transform (e.g. `mixTransform({...})`) */
  batchTransform?: BatchTransform;
  /** batches built ahead of the consumer (default 2; 0 = build on demand) */
  prefetch?: number;
  /** yield to the event loop after this many ms of batch building (default 8) */
  chunkMs?: number;
  /** samples fetched concurrently from the dataset while building a batch (default 4) */
  concurrency?: number;
  /**
   * Worker threads that load samples of file datasets (those with `sampleFile`, e.g. ImageFolder): a count (the
   * loader starts them on its first batch and stops them in close()) or a pool shared with other loaders (its owner
   * closes it). Needs a transform built by a preset / transformFromSpec with a fixed output size. Datasets held in
   * memory are always sliced on the calling thread. Default: none (everything on the calling thread).
   */
  workers?: number | DataWorkerPool;
}

/** A batch transform applying timm-style mixup/cutmix (soft targets in `softY`). */
export function mixTransform(opts: MixOptions): BatchTransform {
  return (b, rng) => {
    const r = mixBatch(b.x, b.shape, b.y, rng, opts);
    return { ...b, x: r.x, softY: r.softY };
  };
}

/** A batch transform adding smoothed one-hot targets without mixing. */
export function smoothTransform(numClasses: number, smoothing: number): BatchTransform {
  return (b) => ({ ...b, softY: oneHot(b.y, numClasses, smoothing) });
}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

export class DataLoader implements AsyncIterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly prefetch: number;
  private readonly transform?: Transform;
  private readonly batchTransform?: BatchTransform;
  private readonly chunkMs: number;
  private readonly concurrency: number;
  private epoch = 0;
  private position = 0;
  private orderCache: { epoch: number; order: Int32Array } | null = null;
  private iterating = false;
  /** samples loaded by worker threads (file datasets with `workers`), else null: on the calling thread */
  private readonly inWorkers: WorkerSamples | null = null;

  constructor(opts: DataLoaderOptions) {
    const { dataset, batchSize } = opts;
    if (!dataset || typeof dataset.get !== 'function') throw new Error('DataLoader dataset: expected a Dataset with get(i)');
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new Error(`DataLoader batchSize: expected a positive integer, got ${batchSize}`);
    const seed = opts.seed ?? 0;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`DataLoader seed: expected a non-negative integer, got ${seed}`);
    const prefetch = opts.prefetch ?? 2;
    if (!Number.isInteger(prefetch) || prefetch < 0) throw new Error(`DataLoader prefetch: expected an integer ≥ 0, got ${prefetch}`);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = opts.shuffle ?? false;
    this.seed = seed;
    this.dropLast = opts.dropLast ?? false;
    this.prefetch = prefetch;
    this.transform = opts.transform;
    this.batchTransform = opts.batchTransform;
    this.chunkMs = opts.chunkMs ?? 8;
    this.concurrency = opts.concurrency ?? 4;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new Error(`DataLoader concurrency: expected a positive integer, got ${this.concurrency}`);
    }
    if (opts.workers !== undefined && dataset.sampleFile) this.inWorkers = new WorkerSamples(dataset, opts.workers, this.transform, seed);
    if (this.batchesPerEpoch === 0) {
      throw new Error(`DataLoader: dataset of ${dataset.length} samples gives no batch of ${batchSize} with dropLast`);
    }
  }

  /** Worker threads loading this loader's samples (0: the calling thread does). */
  get workers(): number {
    return this.inWorkers?.count ?? 0;
  }

  /** Stops the loader's own worker threads (a shared pool is left to its owner). The loader can be used again. */
  async close(): Promise<void> {
    await this.inWorkers?.close();
  }

  static fromState(opts: DataLoaderOptions, state: LoaderState): DataLoader {
    const l = new DataLoader(opts);
    l.loadState(state);
    return l;
  }

  get batchesPerEpoch(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** {epoch, position} of the next batch to be delivered (JSON-serialisable, for checkpoints). */
  state(): LoaderState {
    return { epoch: this.epoch, position: this.position };
  }

  loadState(state: LoaderState): void {
    const { epoch, position } = state ?? ({} as LoaderState);
    if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`DataLoader state.epoch: expected a non-negative integer, got ${epoch}`);
    if (!Number.isInteger(position) || position < 0 || position > this.batchesPerEpoch) {
      throw new Error(`DataLoader state.position: expected an integer in [0, ${this.batchesPerEpoch}], got ${position}`);
    }
    if (this.iterating) throw new Error('DataLoader state: cannot be loaded while an iteration is running');
    [this.epoch, this.position] = position === this.batchesPerEpoch ? [epoch + 1, 0] : [epoch, position];
  }

  /** The sample order of an epoch (dataset indices). */
  order(epoch: number): Int32Array {
    if (this.orderCache?.epoch === epoch) return this.orderCache.order;
    const n = this.dataset.length;
    let order: Int32Array;
    if (this.shuffle) order = orderRng(this.seed, epoch).permutation(n);
    else {
      order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
    }
    this.orderCache = { epoch, order };
    return order;
  }

  /** Builds batch `b` of `epoch` (random access; does not move the loader's state). */
  async batchAt(epoch: number, b: number): Promise<Batch> {
    if (!Number.isInteger(b) || b < 0 || b >= this.batchesPerEpoch) {
      throw new Error(`DataLoader batch: expected an index in [0, ${this.batchesPerEpoch}), got ${b}`);
    }
    const order = this.order(epoch);
    const indices = order.slice(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
    const n = indices.length;
    if (this.inWorkers) {
      const { x, y, hwc } = await this.inWorkers.load(epoch, indices);
      return this.finish({ x, y, shape: [n, ...hwc], indices, epoch, batch: b });
    }
    const y = new Int32Array(n);
    let x: Float32Array | null = null;
    let hwc: [number, number, number] = [0, 0, 0];
    let t0 = performance.now();
    for (let w0 = 0; w0 < n; w0 += this.concurrency) {
      // up to `concurrency` samples are fetched at once (overlaps file reads of lazy datasets such as ImageFolder)
      const win = Array.from(indices.subarray(w0, Math.min(w0 + this.concurrency, n)));
      const samples = await Promise.all(win.map((idx) => this.dataset.get(idx)));
      for (let j = 0; j < samples.length; j++) {
        const i = w0 + j;
        const idx = win[j]!;
        const s = samples[j]!;
        const img = prepareSample(s.image, this.transform, this.seed, epoch, idx);
        if (x === null) {
          hwc = [img.height, img.width, img.channels];
          x = new Float32Array(n * img.data.length);
        } else if (img.height !== hwc[0] || img.width !== hwc[1] || img.channels !== hwc[2]) {
          throw new Error(
            `DataLoader: sample ${idx} has shape [${img.height}, ${img.width}, ${img.channels}] but the batch has [${hwc.join(', ')}] (add a crop/resize transform)`,
          );
        }
        x.set(img.data, i * img.data.length);
        y[i] = s.label;
      }
      if (performance.now() - t0 > this.chunkMs) {
        await yieldToLoop();
        t0 = performance.now();
      }
    }
    return this.finish({ x: x!, y, shape: [n, ...hwc], indices, epoch, batch: b });
  }

  private finish(batch: Batch): Batch {
    return this.batchTransform ? this.batchTransform(batch, batchRng(this.seed, batch.epoch, batch.batch)) : batch;
  }

  /** Iterates the rest of the current epoch (from state().position); afterwards the state points at the next epoch. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch, void, undefined> {
    if (this.iterating) throw new Error('DataLoader: another iteration is already running on this loader');
    this.iterating = true;
    let stop = () => {};
    try {
      const epoch = this.epoch;
      const nb = this.batchesPerEpoch;
      const queue: Array<Promise<Batch>> = [];
      let next = this.position;
      let chain: Promise<unknown> = Promise.resolve();
      let stopped = false;
      stop = () => (stopped = true);
      const fill = (ahead: number) => {
        while (queue.length < ahead && next < nb) {
          const b = next++;
          // on the calling thread built one after another, in workers all at once (their queue keeps the order);
          // skipped when the consumer has stopped (it will never be awaited)
          const build = () => (stopped ? Promise.reject(new Error('DataLoader: iteration stopped')) : this.batchAt(epoch, b));
          const p = this.inWorkers ? build() : chain.then(build);
          chain = p.catch(() => undefined);
          queue.push(p);
        }
      };
      while (this.position < nb) {
        fill(Math.max(1, this.prefetch));
        const waitStart = performance.now();
        const batch = await queue.shift()!;
        batch.waitMs = performance.now() - waitStart;
        fill(this.prefetch); // keep `prefetch` batches building while the consumer works on this one
        if (batch.batch + 1 === nb) [this.epoch, this.position] = [epoch + 1, 0];
        else this.position = batch.batch + 1;
        yield batch;
        if (this.epoch !== epoch) break;
      }
    } finally {
      stop();
      this.iterating = false;
    }
  }
}
