// Where a model's inference time goes: every kernel of the active backend timed per call (wall clock around the
// kernel function; the wasm and native kernels run synchronously, so this is their time), summed by kernel name and
// input shape over timed forward passes after warm-ups. What is left of a pass's wall time beyond its kernels is
// JavaScript: module calls, op dispatch, tensor bookkeeping.
import * as tf from '@tensorflow/tfjs-core';
import { installKernels } from '../kernels/install.js';
import type { Module } from '../nn/module.js';
import { withEvalPasses } from './latency.js';

export interface KernelTime {
  kernel: string;
  /** Shape of the kernel's first input (x for convolutions), or '' */
  shape: string;
  callsPerRun: number;
  msPerRun: number;
}

export interface LatencyProfile {
  model: string;
  backend: string;
  runs: number;
  /** Mean wall time of a forward pass with the timers on. */
  msPerRun: number;
  /** Sum of all kernel times per run. */
  kernelMsPerRun: number;
  /** By kernel name, slowest first. */
  byKernel: KernelTime[];
  /** By kernel name and input shape, slowest first. */
  byShape: KernelTime[];
}

type Totals = Map<string, { kernel: string; shape: string; calls: number; ms: number }>;

function add(t: Totals, kernel: string, shape: string, ms: number): void {
  const key = `${kernel}|${shape}`;
  const e = t.get(key) ?? { kernel, shape, calls: 0, ms: 0 };
  e.calls++;
  e.ms += ms;
  t.set(key, e);
}

function rows(t: Totals, runs: number): KernelTime[] {
  return [...t.values()].map((e) => ({ kernel: e.kernel, shape: e.shape, callsPerRun: e.calls / runs, msPerRun: e.ms / runs }))
    .sort((a, b) => b.msPerRun - a.msPerRun);
}

/** Profiles `runs` forward passes of a model (eval mode, batch 1 by default) on the active backend. */
export async function profileLatency(model: Module | string, opts: { runs?: number; warmup?: number; input?: number; batch?: number; channels?: number } = {}): Promise<LatencyProfile> {
  const runs = opts.runs ?? 30;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`profileLatency: runs must be an integer >= 1, got ${runs}`);
  const backend = tf.getBackend();
  const byKernel: Totals = new Map();
  const byShape: Totals = new Map();
  let on = false;
  const timed = (kernelName: string, f: tf.KernelFunc): tf.KernelFunc => (args) => {
    if (!on) return f(args);
    const t0 = performance.now();
    const r = f(args);
    const ms = performance.now() - t0;
    const first = args.inputs.x ?? Object.values(args.inputs)[0];
    add(byKernel, kernelName, '', ms);
    add(byShape, kernelName, first ? first.shape.join('×') : '', ms);
    return r;
  };
  const restore = installKernels(tf.getKernelsForBackend(backend).map((k) => ({ ...k, kernelFunc: timed(k.kernelName, k.kernelFunc) })));
  try {
    const { name, wall } = await withEvalPasses(model, opts, async ({ name, pass }) => {
      for (let i = 0; i < (opts.warmup ?? 5); i++) await pass();
      on = true;
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) await pass();
      return { name, wall: performance.now() - t0 };
    });
    const kernels = rows(byKernel, runs);
    return {
      model: name, backend, runs, msPerRun: wall / runs,
      kernelMsPerRun: kernels.reduce((a, r) => a + r.msPerRun, 0), byKernel: kernels, byShape: rows(byShape, runs),
    };
  } finally {
    on = false;
    restore();
  }
}

/** The profile as text: totals, then kernels by name and by input shape (those above `minMs` per run). */
export function formatLatencyProfile(p: LatencyProfile, minMs = 0.05): string {
  const line = (r: KernelTime) => `${r.msPerRun.toFixed(2).padStart(8)} ms  ${r.callsPerRun.toFixed(0).padStart(4)}×  ${r.kernel}${r.shape ? ' ' + r.shape : ''}`;
  return [
    `${p.model} on ${p.backend}: ${p.msPerRun.toFixed(2)} ms per pass with timers (${p.runs} runs), kernels ${p.kernelMsPerRun.toFixed(2)} ms, ` +
      `JavaScript and the rest ${(p.msPerRun - p.kernelMsPerRun).toFixed(2)} ms`,
    'by kernel:', ...p.byKernel.filter((r) => r.msPerRun >= minMs).map(line),
    'by kernel and input shape:', ...p.byShape.filter((r) => r.msPerRun >= minMs).map(line),
  ].join('\n');
}
