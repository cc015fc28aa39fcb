// Where a piece of work's time goes, kernel by kernel. On the synchronous backends (wasm, native, cpu) every kernel is
// timed per call by the wall clock around its function, which is its whole time. On webgpu a kernel function only
// records GPU work, so the GPU profiler (src/backend/webgpu_profile.ts) times every dispatch with timestamp queries
// (where the device has them) and attributes it to the tfjs kernel that issued it, and counts per run the dispatches,
// queue submits, read-backs (host↔device synchronisations) and uploads. Totals by kernel name and by kernel and input
// shape; what is left of a run's wall time beyond its kernels is JavaScript, or waiting.
import * as tf from '@tensorflow/tfjs-core';
import { hookKernels } from '../backend/kernel_hooks.js';
import { WebGPUProfiler, type WebGPUCounts } from '../backend/webgpu_profile.js';
import type { Module } from '../nn/module.js';
import { withEvalPasses } from './latency.js';

export interface KernelTime {
  kernel: string;
  /** Shape of the kernel's first input (x for convolutions), or '' */
  shape: string;
  /** On webgpu, the GPU programs the kernel ran (tfjs's program classes, chanlab:… for chanlab's), else '' */
  program: string;
  callsPerRun: number;
  msPerRun: number;
  /** Share of all kernel time. */
  share: number;
}

export interface KernelProfile {
  backend: string;
  runs: number;
  /** 'host': wall time around each kernel function (synchronous backends); 'gpu': GPU timestamps per dispatch;
   *  'none': webgpu without timestamp-query (counts only, kernel times are 0). */
  timing: 'host' | 'gpu' | 'none';
  /** Mean wall time of a run with the timers on. */
  msPerRun: number;
  /** Sum of all kernel times per run. */
  kernelMsPerRun: number;
  /** On webgpu: dispatches, submits, read-backs and uploads per run. */
  counts: WebGPUCounts | null;
  /** By kernel name, slowest first (on webgpu, calls are dispatches). */
  byKernel: KernelTime[];
  /** By kernel name and input shape, slowest first. */
  byShape: KernelTime[];
}

export interface LatencyProfile extends KernelProfile {
  model: string;
}

type Totals = Map<string, { kernel: string; shape: string; programs: Set<string>; calls: number; ms: number }>;

function add(t: Totals, kernel: string, shape: string, program: string, ms: number): void {
  const key = `${kernel}|${shape}`;
  const e = t.get(key) ?? { kernel, shape, programs: new Set<string>(), calls: 0, ms: 0 };
  e.calls++;
  e.ms += ms;
  if (program) e.programs.add(program);
  t.set(key, e);
}

function rows(t: Totals, runs: number): KernelTime[] {
  const total = [...t.values()].reduce((a, e) => a + e.ms, 0);
  return [...t.values()].map((e) => ({
    kernel: e.kernel, shape: e.shape, program: [...e.programs].join(','), callsPerRun: e.calls / runs, msPerRun: e.ms / runs,
    share: total > 0 ? e.ms / total : 0,
  })).sort((a, b) => b.msPerRun - a.msPerRun || b.callsPerRun - a.callsPerRun);
}

/**
 * Profiles `runs` calls of `run` (after `warmup` untimed ones) on the active backend. `run` must finish its work
 * (read its result back) before resolving, as a timed pass does.
 */
export async function profileKernels(run: () => Promise<void>, opts: { runs: number; warmup: number }): Promise<KernelProfile> {
  const { runs, warmup } = opts;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`profile: runs must be an integer >= 1, got ${runs}`);
  const backend = tf.getBackend();
  const byKernel: Totals = new Map();
  const byShape: Totals = new Map();
  for (let i = 0; i < warmup; i++) await run();
  let counts: WebGPUCounts | null = null;
  let timing: KernelProfile['timing'] = 'host';
  let wall = 0;
  if (backend === 'webgpu') {
    const prof = new WebGPUProfiler();
    const t0 = performance.now();
    prof.start();
    try {
      for (let i = 0; i < runs; i++) await run();
    } finally {
      wall = performance.now() - t0;
      const r = await prof.stop();
      timing = r.timing === 'timestamp-query' ? 'gpu' : 'none';
      counts = Object.fromEntries(Object.entries(r.counts).map(([k, v]) => [k, v / runs])) as unknown as WebGPUCounts;
      for (const d of r.dispatches) {
        add(byKernel, d.kernel || '(outside kernels)', '', d.program, d.gpuMs ?? 0);
        add(byShape, d.kernel || '(outside kernels)', d.shape, d.program, d.gpuMs ?? 0);
      }
    }
  } else {
    let on = false;
    const unhook = hookKernels(backend, {
      enter: () => undefined,
      exit: (call, ms) => {
        if (!on || call.depth > 0) return;
        add(byKernel, call.kernel, '', '', ms);
        add(byShape, call.kernel, call.shape.join('×'), '', ms);
      },
    });
    try {
      on = true;
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) await run();
      wall = performance.now() - t0;
    } finally {
      unhook();
    }
  }
  const kernels = rows(byKernel, runs);
  return {
    backend, runs, timing, msPerRun: wall / runs, kernelMsPerRun: kernels.reduce((a, r) => a + r.msPerRun, 0), counts,
    byKernel: kernels, byShape: rows(byShape, runs),
  };
}

/** Profiles `runs` forward passes of a model (eval mode, batch 1 by default) on the active backend. */
export async function profileLatency(model: Module | string, opts: { runs?: number; warmup?: number; input?: number; batch?: number; channels?: number } = {}): Promise<LatencyProfile> {
  const runs = opts.runs ?? 30;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`profileLatency: runs must be an integer >= 1, got ${runs}`);
  return withEvalPasses(model, opts, async ({ name, pass }) => ({
    model: name, ...(await profileKernels(pass, { runs, warmup: opts.warmup ?? 5 })),
  }));
}

/** The profile as text: totals (and, on webgpu, the dispatch and synchronisation counts), then kernels by name and
 *  by input shape (those above `minMs` per run, or all when kernel times are not measured). */
export function formatKernelProfile(title: string, p: KernelProfile, minMs = 0.05, unit = 'run'): string {
  const line = (r: KernelTime) => `${r.msPerRun.toFixed(2).padStart(8)} ms ${(100 * r.share).toFixed(1).padStart(5)}% ` +
    `${r.callsPerRun.toFixed(r.callsPerRun % 1 ? 1 : 0).padStart(5)}×  ${r.kernel}${r.program ? ` [${r.program}]` : ''}${r.shape ? ' ' + r.shape : ''}`;
  const keep = (r: KernelTime) => p.timing === 'none' || r.msPerRun >= minMs;
  const what = { host: 'kernels (host time)', gpu: 'kernels (GPU time)', none: 'kernels (no GPU timestamps on this device)' }[p.timing];
  const c = p.counts;
  return [
    `${title} on ${p.backend}: ${p.msPerRun.toFixed(2)} ms per ${unit} with timers (${p.runs} runs), ${what} ${p.kernelMsPerRun.toFixed(2)} ms` +
      (p.timing === 'host' ? `, JavaScript and the rest ${(p.msPerRun - p.kernelMsPerRun).toFixed(2)} ms` : ''),
    ...(c ? [`per ${unit}: ${c.dispatches} dispatches (${c.chanlabDispatches} chanlab), ${c.submits} queue submits, ${c.reads} read-backs ` +
      `(host↔device synchronisations), ${c.uploads} uploads`] : []),
    'by kernel:', ...p.byKernel.filter(keep).map(line),
    'by kernel and input shape:', ...p.byShape.filter(keep).map(line),
  ].join('\n');
}

/** The latency profile as text (formatKernelProfile titled with the model). */
export function formatLatencyProfile(p: LatencyProfile, minMs = 0.05): string {
  return formatKernelProfile(p.model, p, minMs, 'pass');
}
