// What the GPU does during a piece of work on tfjs's webgpu backend: every compute dispatch (tfjs's programs and
// chanlab's, src/kernels/webgpu/runtime.ts) with the tfjs kernel that issued it and, where the device has
// `timestamp-query`, its GPU time from a timestamp pair around a compute pass of its own; plus the host↔device
// traffic: queue submits, read-backs (async `data()` and `dataSync()`: each one a synchronisation that waits for the
// GPU) and uploads of host values.
//
// Timing needs one pass per dispatch (tfjs batches many dispatches into one pass), so timed work runs slower than
// untimed work; the counts are the same either way. Without `timestamp-query` only the counts and the kernels' host
// times are reported. The timestamps are read back once, by stop(), after the counted work.
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { internals, setDispatchObserver } from '../kernels/webgpu/runtime.js';
import { hookKernels, type KernelCall } from './kernel_hooks.js';

export interface GpuDispatchRecord {
  /** The tfjs kernel that issued the dispatch ('' outside any kernel, e.g. a read-back's copy). */
  kernel: string;
  /** The kernel's first input shape. */
  shape: string;
  /** tfjs's program class, or `chanlab:<name>` for chanlab's runtime dispatches. */
  program: string;
  /** GPU time (ms) from timestamp queries, or null without them. */
  gpuMs: number | null;
}

export interface WebGPUCounts {
  dispatches: number;
  /** Of those, recorded by chanlab's runtime. */
  chanlabDispatches: number;
  submits: number;
  /** Read-backs of tensor data to the host (each waits for the GPU). */
  reads: number;
  /** Uploads of host values to GPU buffers. */
  uploads: number;
}

export interface WebGPUProfileResult {
  timing: 'timestamp-query' | 'none';
  counts: WebGPUCounts;
  dispatches: GpuDispatchRecord[];
}

const QUERY_SET_SIZE = 4096; // WebGPU's maximum count of a query set

interface Patchable {
  recordAndSubmit(...a: unknown[]): void;
  submitQueue(): void;
  getBufferData(buffer: GPUBuffer): Promise<ArrayBuffer>;
  readSync(dataId: object): unknown;
  uploadToGPU(dataId: object): void;
}

/** Whether the live webgpu backend's device can time dispatches. */
export function hasTimestampQuery(b: WebGPUBackend): boolean {
  return b.device.features.has('timestamp-query');
}

/**
 * Profiles the work between start() and stop() on the active webgpu backend. One profiler at a time; stop() always
 * restores the backend.
 */
export class WebGPUProfiler {
  private readonly b: WebGPUBackend;
  private readonly timed: boolean;
  private readonly counts: WebGPUCounts = { dispatches: 0, chanlabDispatches: 0, submits: 0, reads: 0, uploads: 0 };
  private readonly records: GpuDispatchRecord[] = [];
  private readonly sets: Array<{ set: GPUQuerySet; used: number; resolved: GPUBuffer | null }> = [];
  private readonly stack: KernelCall[] = [];
  private unhook: (() => void) | null = null;
  private counting = false;

  constructor(opts: { timestamps?: boolean } = {}) {
    if (tf.getBackend() !== 'webgpu') throw new Error(`WebGPUProfiler: the active backend is '${tf.getBackend()}', not webgpu`);
    this.b = tf.backend() as unknown as WebGPUBackend;
    this.timed = (opts.timestamps ?? true) && hasTimestampQuery(this.b);
  }

  get timing(): 'timestamp-query' | 'none' {
    return this.timed ? 'timestamp-query' : 'none';
  }

  start(): void {
    if (this.counting) throw new Error('WebGPUProfiler: already started');
    const self = this;
    const bi = internals(this.b);
    const p = this.b as unknown as Patchable;
    const proto = Object.getPrototypeOf(this.b) as Patchable;
    p.recordAndSubmit = function (this: WebGPUBackend, ...a: unknown[]) {
      const program = a[0] as { constructor: { name: string } };
      const ts = self.before(program.constructor.name, false);
      if (ts) {
        bi.endComputePassEncoder();
        bi.ensureCommandEncoderReady();
        bi.computePassEncoder = bi.commandEncoder!.beginComputePass({ timestampWrites: ts });
      }
      proto.recordAndSubmit.apply(this, a);
      if (ts) bi.endComputePassEncoder();
    };
    p.submitQueue = function (this: WebGPUBackend) {
      if (self.counting) self.counts.submits++;
      proto.submitQueue.call(this);
    };
    p.getBufferData = function (this: WebGPUBackend, buffer: GPUBuffer) {
      if (self.counting) self.counts.reads++;
      return proto.getBufferData.call(this, buffer);
    };
    p.readSync = function (this: WebGPUBackend, dataId: object) {
      const d = bi.tensorMap.get(dataId) as { values?: unknown; resource?: unknown };
      if (self.counting && d.values == null && d.resource != null) self.counts.reads++;
      return proto.readSync.call(this, dataId);
    };
    p.uploadToGPU = function (this: WebGPUBackend, dataId: object) {
      const d = bi.tensorMap.get(dataId) as { values?: unknown; resource?: unknown };
      if (self.counting && d.values != null && d.resource == null) self.counts.uploads++;
      proto.uploadToGPU.call(this, dataId);
    };
    setDispatchObserver({ before: (label) => this.before(`chanlab:${label}`, true) });
    this.unhook = hookKernels('webgpu', {
      enter: (call) => this.stack.push(call),
      exit: () => void this.stack.pop(),
    });
    this.counting = true;
  }

  private before(program: string, chanlab: boolean): GPUComputePassTimestampWrites | null {
    if (!this.counting) return null;
    this.counts.dispatches++;
    if (chanlab) this.counts.chanlabDispatches++;
    const outer = this.stack[0];
    this.records.push({ kernel: outer?.kernel ?? '', shape: outer ? outer.shape.join('×') : '', program, gpuMs: null });
    if (!this.timed) return null;
    let cur = this.sets[this.sets.length - 1];
    if (!cur || cur.used + 2 > QUERY_SET_SIZE) {
      if (cur) this.resolve(cur);
      cur = { set: this.b.device.createQuerySet({ type: 'timestamp', count: QUERY_SET_SIZE }), used: 0, resolved: null };
      this.sets.push(cur);
    }
    const i = cur.used;
    cur.used += 2;
    return { querySet: cur.set, beginningOfPassWriteIndex: i, endOfPassWriteIndex: i + 1 };
  }

  private resolve(s: { set: GPUQuerySet; used: number; resolved: GPUBuffer | null }): void {
    if (s.resolved || s.used === 0) return;
    const bi = internals(this.b);
    bi.endComputePassEncoder();
    bi.ensureCommandEncoderReady();
    s.resolved = this.b.device.createBuffer({ size: s.used * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    bi.commandEncoder!.resolveQuerySet(s.set, 0, s.used, s.resolved, 0);
  }

  /** Ends the profile: restores the backend, reads the timestamps (one read-back, not counted) and returns it all. */
  async stop(): Promise<WebGPUProfileResult> {
    if (!this.counting) throw new Error('WebGPUProfiler: not started');
    this.counting = false;
    const counts = { ...this.counts };
    this.unhook?.();
    this.unhook = null;
    setDispatchObserver(null);
    const p = this.b as unknown as Record<string, unknown>;
    for (const k of ['recordAndSubmit', 'submitQueue', 'getBufferData', 'readSync', 'uploadToGPU']) delete p[k];
    if (this.timed) await this.readTimes();
    return { timing: this.timing, counts, dispatches: this.records };
  }

  private async readTimes(): Promise<void> {
    const bi = internals(this.b);
    const last = this.sets[this.sets.length - 1];
    if (last) this.resolve(last);
    const staging = this.sets.map((s) => {
      const buf = this.b.device.createBuffer({ size: s.used * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      bi.ensureCommandEncoderReady();
      bi.commandEncoder!.copyBufferToBuffer(s.resolved!, 0, buf, 0, s.used * 8);
      return buf;
    });
    bi.endComputePassEncoder();
    bi.ensureCommandEncoderReady();
    bi.submitQueue();
    let r = 0;
    for (const [i, buf] of staging.entries()) {
      await buf.mapAsync(GPUMapMode.READ);
      const t = new BigUint64Array(buf.getMappedRange());
      for (let j = 0; j + 1 < t.length && r < this.records.length; j += 2, r++) {
        // a pass whose timestamps were not written (an empty grid) reads as 0s; end < begin can happen on some drivers
        this.records[r]!.gpuMs = t[j + 1]! >= t[j]! ? Number(t[j + 1]! - t[j]!) / 1e6 : 0;
      }
      buf.unmap();
      buf.destroy();
      this.sets[i]!.resolved!.destroy();
      this.sets[i]!.set.destroy();
    }
  }
}
