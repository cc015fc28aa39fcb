// A DataLoader's samples loaded by worker threads (worker_pool.ts): the dataset's files, the loader's transform (by
// its spec) and seed registered as one job of a pool — the loader's own, started on first use, or one shared with
// other loaders — and each batch written by the workers into a new SharedArrayBuffer [n, H, W, C] float32.
import type { Dataset } from './dataset.js';
import { specOutputSize, type Transform, type TransformSpec } from './transform_spec.js';
import { checkWorkerCount, DataWorkerPool } from './worker_pool.js';

export class WorkerSamples {
  /** worker threads */
  readonly count: number;
  private readonly own: boolean;
  private pool: DataWorkerPool | null;
  private job = -1;
  private readonly spec: TransformSpec;
  /** [H, W, C] of every sample */
  private readonly shape: [number, number, number];

  constructor(private readonly dataset: Dataset, workers: number | DataWorkerPool, transform: Transform | undefined, private readonly seed: number) {
    const spec = transform?.spec;
    const size = spec ? specOutputSize(spec) : null;
    if (!spec || !size) {
      throw new Error('DataLoader workers: the worker threads need a transform with a fixed output size built by a preset ' +
        `(imagenetTrainTransform, imagenetEvalTransform, cropFlipTransform or transformFromSpec), got ${spec ? `'${spec.kind}', which keeps the input size` : 'none or a plain function'}; ` +
        'omit workers to run it on the calling thread');
    }
    this.spec = spec;
    this.shape = [size[0], size[1], 3]; // files decode to RGB
    this.own = !(workers instanceof DataWorkerPool);
    this.pool = workers instanceof DataWorkerPool ? workers : null;
    this.count = workers instanceof DataWorkerPool ? workers.size : checkWorkerCount(workers, 'DataLoader workers');
    if (this.pool) this.job = this.pool.addJob(spec, seed, this.shape);
  }

  /** Loads the samples `indices` of `epoch`: [n, H, W, C] float32 in shared memory, and their labels. */
  async load(epoch: number, indices: Int32Array): Promise<{ x: Float32Array; y: Int32Array; hwc: [number, number, number] }> {
    if (!this.pool) {
      this.pool = new DataWorkerPool(this.count);
      this.job = this.pool.addJob(this.spec, this.seed, this.shape);
    }
    const per = this.shape[0] * this.shape[1] * this.shape[2];
    const buffer = new SharedArrayBuffer(indices.length * per * 4);
    const y = new Int32Array(indices.length);
    const files = Array.from(indices, (index, i) => {
      const f = this.dataset.sampleFile!(index);
      y[i] = f.label;
      return { path: f.path, name: f.name, epoch, index, offset: i * per };
    });
    await this.pool.run(this.job, files, buffer);
    return { x: new Float32Array(buffer), y, hwc: this.shape };
  }

  /** Stops the threads if the pool is this loader's own (it starts again on the next load). */
  async close(): Promise<void> {
    if (!this.own || !this.pool) return;
    const pool = this.pool;
    this.pool = null;
    await pool.close();
  }
}
