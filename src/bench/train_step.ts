// The training-step benchmark: forward + backward + SGD update of a fixed ResNet on a fixed batch, per backend,
// with PyTorch CPU on the same model and batch as the reference measured in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { describeActive } from '../backend/index.js';
import { createModel } from '../zoo/index.js';
import { Conv2d } from '../nn/conv.js';
import { manualSeed } from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import { paramGroups, SGD } from '../train/optim.js';
import { profileKernels, type KernelProfile } from '../latency/profile.js';
import type { Module } from '../nn/module.js';
import { useBenchBackend, WASM_NATIVE } from './variants.js';
import { median } from '../core/stats.js';

export interface TrainStepBenchOptions {
  model: string;
  batch: number;
  size: number;
  inChannels: number;
  numClasses: number;
  steps: number;
  warmup: number;
  /** Batch for the pure-JS cpu backend, which is ~1000× slower (img/s is still per image). */
  cpuBatch: number;
}

export const DEFAULT_TRAIN_STEP: TrainStepBenchOptions = {
  model: 'resnet20_small', batch: 32, size: 32, inChannels: 3, numClasses: 10, steps: 5, warmup: 2, cpuBatch: 2,
};

export interface TrainStepRow {
  backend: string;
  batch: number;
  steps: number;
  medianMs: number;
  imgPerS: number;
  gflops: number;
  /** img/s ÷ PyTorch CPU img/s measured in the same run. */
  vsTorch: number | null;
  note: string;
}

/** Forward MACs per image of conv and linear layers (the FLOPs that dominate); training ≈ 3× forward. */
export function forwardMacs(model: Module, inputShape: number[]): number {
  let macs = 0;
  const removers: Array<() => void> = [];
  for (const [, m] of model.namedModules()) {
    if (m instanceof Conv2d) {
      removers.push(m.registerForwardHook((_m, _x, y) => {
        const [kh, kw] = m.kernelSize;
        macs += (y.size / y.shape[0]!) * (m.inChannels / m.groups) * kh * kw;
      }));
    } else if (m instanceof Linear) {
      removers.push(m.registerForwardHook(() => { macs += m.inFeatures * m.outFeatures; }));
    }
  }
  const wasTraining = model.training;
  model.eval();
  tf.tidy(() => model.call(tf.zeros([1, ...inputShape.slice(1)])));
  model.train(wasTraining);
  removers.forEach((r) => r());
  return macs;
}

/**
 * One training step as the benchmarks run it: forward, softmax cross-entropy, backward, chanlab's SGD (momentum 0.9,
 * as PyTorch's reference), and the read-back of the loss (the step's one synchronisation). Returns the step and its
 * cleanup.
 */
export function trainStepOf(model: Module, batch: number, o: TrainStepBenchOptions): { step: () => Promise<void>; dispose: () => void } {
  const x = tf.randomNormal([batch, o.size, o.size, o.inChannels], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % o.numClasses), 'int32'), o.numClasses);
  const params = paramGroups(model, 0);
  const byVar = new Map(params.map((p) => [p.variable.name, p.name]));
  const opt = new SGD(params, { lr: 0.01, momentum: 0.9 });
  model.train();
  const step = async () => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.call(x)) as tf.Scalar, params.map((p) => p.variable));
    opt.step(new Map(Object.entries(grads).map(([k, g]) => [byVar.get(k)!, g])));
    tf.dispose(Object.values(grads));
    await value.data(); // sync: the step is done
    value.dispose();
  };
  return { step, dispose: () => { opt.dispose(); tf.dispose([x, y]); } };
}

/** Times `steps` SGD steps (after `warmup`) on the active backend; returns per-step milliseconds. */
export async function timeTrainSteps(model: Module, batch: number, o: TrainStepBenchOptions, steps: number, warmup: number): Promise<number[]> {
  const { step, dispose } = trainStepOf(model, batch, o);
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const t0 = performance.now();
      await step();
      if (i >= warmup) times.push(performance.now() - t0);
    }
  } finally {
    dispose();
  }
  return times;
}

/** The kernel profile of training steps of `model` on the active backend (webgpu: GPU time and dispatch counts). */
export async function profileTrainStep(model: Module, batch: number, o: TrainStepBenchOptions, runs = 1, warmup = 1): Promise<KernelProfile> {
  const { step, dispose } = trainStepOf(model, batch, o);
  try {
    return await profileKernels(step, { runs, warmup });
  } finally {
    dispose();
  }
}

export interface TorchRef { imgPerS: number; medianMs: number; threads: number; version: string; device: string }

/** The PyTorch reference runs on CHANLAB_TORCH_DEVICE (cpu, the default, or cuda: the honest reference on a GPU
 *  machine) with the interpreter CHANLAB_TORCH_PYTHON (default /usr/bin/python3, Debian's torch). */
function torchDevice(): 'cpu' | 'cuda' {
  const d = process.env.CHANLAB_TORCH_DEVICE ?? 'cpu';
  if (d !== 'cpu' && d !== 'cuda') throw new Error(`CHANLAB_TORCH_DEVICE: expected cpu or cuda, got '${d}'`);
  return d;
}

export function torchReference(o: TrainStepBenchOptions): TorchRef | { error: string } {
  const py = process.env.CHANLAB_TORCH_PYTHON || '/usr/bin/python3';
  const device = torchDevice();
  const script = 'scripts/bench/torch_train_step.py';
  if (!existsSync(py)) return { error: `${py} not found` };
  if (!existsSync(script)) return { error: `${script} not found (run from the chanlab repository root)` };
  const threads = Number(process.env.CHANLAB_TORCH_THREADS ?? availableParallelism());
  const r = spawnSync(py, [script, o.model, String(o.batch), String(o.size), String(o.inChannels), String(o.numClasses),
    String(o.steps), String(o.warmup), String(threads), device], { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').slice(-1)[0]! };
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { img_per_s: number; median_ms: number; threads: number; torch: string };
  return { imgPerS: j.img_per_s, medianMs: j.median_ms, threads: j.threads, version: j.torch, device };
}

/** `profile`: also the kernel profile of one step per backend (after the timed steps). */
export async function benchTrainStep(backends: string[], opts: Partial<TrainStepBenchOptions> = {}, profile = false) {
  const o = { ...DEFAULT_TRAIN_STEP, ...opts };
  const profiles: Array<KernelProfile & { variant: string }> = [];
  const torch = torchReference(o);
  const rows: TrainStepRow[] = [];
  let macs = 0;
  for (const b of backends) {
    let name;
    try {
      name = await useBenchBackend(b);
    } catch (e) {
      rows.push({ backend: b, batch: 0, steps: 0, medianMs: NaN, imgPerS: NaN, gflops: NaN, vsTorch: null, note: `unavailable: ${(e as Error).message.split('.')[0]}` });
      continue;
    }
    manualSeed(0);
    const model = createModel(o.model, { numClasses: o.numClasses, inChannels: o.inChannels });
    const detail = describeActive(name);
    macs = forwardMacs(model, [1, o.size, o.size, o.inChannels]);
    const batch = b === 'cpu' ? o.cpuBatch : o.batch;
    const steps = b === 'cpu' ? 1 : o.steps;
    const warmup = b === 'cpu' ? 1 : o.warmup;
    const times = await timeTrainSteps(model, batch, o, steps, warmup);
    if (profile) profiles.push({ variant: b, ...(await profileTrainStep(model, batch, o, 1, 1)) });
    model.dispose();
    const ms = median(times);
    const imgPerS = batch / (ms / 1000);
    rows.push({
      backend: b === 'wasm' ? `wasm (${/(\d+) thread/.exec(detail)?.[1] ?? 1} thr)` : b, batch, steps, medianMs: ms, imgPerS,
      gflops: (3 * 2 * macs * imgPerS) / 1e9,
      vsTorch: 'imgPerS' in torch ? imgPerS / torch.imgPerS : null,
      note: b === 'cpu' ? `batch ${batch}: the pure-JS backend is too slow for batch ${o.batch}`
        : b === WASM_NATIVE ? /native kernels on: (.*)$/.exec(detail)?.[1] ?? '' : '',
    });
  }
  if ('imgPerS' in torch) {
    rows.push({ backend: torch.device === 'cpu' ? `pytorch-cpu (${torch.threads} threads)` : `pytorch-${torch.device}`, batch: o.batch, steps: o.steps, medianMs: torch.medianMs,
      imgPerS: torch.imgPerS, gflops: (3 * 2 * macs * torch.imgPerS) / 1e9, vsTorch: 1, note: `torch ${torch.version}` });
  }
  return { options: o, forwardMacsPerImage: macs, trainFlopsPerImage: 6 * macs, rows, torchError: 'error' in torch ? torch.error : null, profiles };
}
