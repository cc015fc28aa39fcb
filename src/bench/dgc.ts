// DGC benchmark on the active backend (docs/methods/dgc.md §8.3). Layer rows: a DGC layer at the README's kept
// fractions 0.25 (DenseNet) and 0.45 (ResNet-18) against the layer its dense twin has in its place, the
// pre-activation BN → ReLU → conv of the same shape — a training step (forward + backward with input and parameter
// gradients; kept-channel op where the backend has it, and the official masked form) and the eval forward (kept
// channels only where the backend has the kernel, and masked) at batch B and 1, with the FLOPs ratio
// (conv + fc MACs). Model rows: a DGC model at its end-of-training sparsity against its dense twin (eval latency, and
// a training step), with the FLOPs ratio.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng.js';
import { countFlops } from '../flops/counter.js';
import { finishDgcSchedule, dgcLayers } from '../methods/dgc/hooks.js';
import { DynamicMultiHeadConv } from '../methods/dgc/layer.js';
import { PreActConv } from '../methods/dgc/preact_conv.js';
import { hasDgcEvalKernel, hasDgcTrainKernel } from '../ops/dgc/index.js';
import type { Module } from '../nn/module.js';
import { manualSeed } from '../nn/init.js';
import { createDenseTwin, createModel } from '../zoo/index.js';
import { medianMsInterleaved, randomTensor } from './timing.js';

export interface DgcBenchOptions {
  /** batch 4 instead of 32, fewer iterations, fewer model rows */
  quick?: boolean;
  batch?: number;
  iters?: number;
  warmup?: number;
  /** spatial size divided by this (the pure-JS cpu backend runs the layers at 1/4 of the size); default 1 */
  downscale?: number;
  /** model rows too (default true) */
  models?: boolean;
}

export interface DgcBenchRow {
  backend: string;
  /** e.g. '1x1 256→128 @16², heads 4' */
  layer: string;
  batch: number;
  /** kept fraction per head (gate factor) */
  kept: number;
  /** conv + fc MACs of the DGC layer (convolutions at the kept fraction, saliency MLPs) ÷ the dense conv's */
  flopsRatio: number;
  /** whether the kept-channel kernels ran: eval (ChanlabDgcEval) and training (ChanlabDgcTrain) */
  evalKernel: boolean;
  trainKernel: boolean;
  /** median ms of a training step of the layer (forward + backward, gradients of input and parameters) */
  trainMs: number;
  /** the same in the official masked form (every head convolves a·ĝ_i with its full kernel) */
  maskedTrainMs: number;
  /** the dense twin's layer BN → ReLU → conv, forward + backward */
  denseTrainMs: number;
  /** median ms of the eval forward at batch B: kept channels only (the default path), masked, dense twin's layer */
  keptMs: number;
  maskedMs: number;
  denseMs: number;
  /** the same at batch 1 (latency) */
  keptMs1: number;
  maskedMs1: number;
  denseMs1: number;
}

export interface DgcModelBenchRow {
  backend: string;
  model: string;
  /** the dense twin (createDenseTwin) */
  twin: string;
  input: number;
  batch: number;
  /** conv + fc MACs per image of the DGC model at its end-of-training sparsity ÷ the twin's */
  flopsRatio: number;
  /** eval forward, median ms: the DGC model (kept channels where the backend has the kernel), masked, twin */
  keptMs: number;
  maskedMs: number;
  twinMs: number;
  /** training step (forward + backward + SGD), median ms, DGC model and twin; null where not timed */
  trainMs: number | null;
  twinTrainMs: number | null;
}

const SHAPES = [
  { k: 1, cin: 256, cout: 128, hw: 16, stride: 1, pad: 0 }, // a CIFAR DenseNet-86 block-2/3 DGC 1×1 layer
  { k: 3, cin: 128, cout: 128, hw: 28, stride: 1, pad: 1 }, // a dyresnet18 layer2 3×3 DGC layer
  { k: 1, cin: 64, cout: 32, hw: 32, stride: 1, pad: 0 }, // a CIFAR DenseNet-86 block-1 DGC 1×1 layer (8 outputs per head)
];

async function macs(m: Module, inputShape: number[]): Promise<number> {
  return (await countFlops(m, { inputShape, convention: 'macs' })).totals.macs;
}

function setEvalImpl(m: Module, impl: 'auto' | 'composite'): void {
  for (const [, l] of dgcLayers(m)) l.evalImpl = impl;
}

/** One training step of `f` over `vars` (loss: the sum of the output). */
function trainStep(vars: tf.Variable[], f: () => tf.Tensor): () => tf.Tensor[] {
  return () => {
    const { value, grads } = tf.variableGrads(() => tf.sum(f()) as tf.Scalar, vars);
    return [value, ...Object.values(grads)];
  };
}

export async function benchDgc(opts: DgcBenchOptions = {}): Promise<DgcBenchRow[]> {
  const quick = opts.quick ?? false;
  const batch = opts.batch ?? (quick ? 4 : 32);
  const iters = opts.iters ?? (quick ? 3 : 5);
  const warmup = opts.warmup ?? 1;
  const backend = tf.getBackend();
  const rng = new Rng(0);
  const rows: DgcBenchRow[] = [];
  const down = opts.downscale ?? 1;
  if (!Number.isInteger(down) || down < 1) throw new Error(`benchDgc: downscale must be a positive integer, got ${down}`);
  for (const s0 of SHAPES) {
    const s = { ...s0, hw: Math.max(s0.k, Math.floor(s0.hw / down)) };
    for (const kept of [0.25, 0.45]) {
      manualSeed(0);
      const layer = new DynamicMultiHeadConv({ inChannels: s.cin, outChannels: s.cout, kernelSize: s.k, stride: s.stride, padding: s.pad, gateFactor: kept });
      finishDgcSchedule(layer);
      const dense = new PreActConv(s.cin, s.cout, s.k, s.pad);
      if (s.stride !== 1) throw new Error('benchDgc: the dense twin layer is built for stride 1');
      const x = tf.variable(randomTensor([batch, s.hw, s.hw, s.cin], rng, -1, 1)) as tf.Variable<tf.Rank.R4>;
      const flopsRatio = (await macs(layer, [1, s.hw, s.hw, s.cin])) / (await macs(dense, [1, s.hw, s.hw, s.cin]));
      const masked = (f: () => tf.Tensor) => () => {
        layer.headsImpl = 'masked';
        try { return f(); } finally { layer.headsImpl = 'auto'; }
      };
      layer.train();
      dense.train();
      const [trainMs, maskedTrainMs, denseTrainMs] = await medianMsInterleaved(iters, warmup, [
        trainStep([x, ...layer.trainableVariables()], () => layer.call(x)),
        trainStep([x, ...layer.trainableVariables()], masked(() => layer.call(x))),
        trainStep([x, ...dense.trainableVariables()], () => dense.call(x)),
      ]);
      layer.eval();
      dense.eval();
      const evalSteps = (xs: tf.Tensor) => [
        () => [layer.call(xs)],
        () => {
          layer.evalImpl = 'composite';
          try { return [layer.call(xs)]; } finally { layer.evalImpl = 'auto'; }
        },
        () => [dense.call(xs)],
      ];
      const [keptMs, maskedMs, denseMs] = await medianMsInterleaved(iters, warmup, evalSteps(x));
      const x1 = tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
      const [keptMs1, maskedMs1, denseMs1] = await medianMsInterleaved(iters * 2, warmup, evalSteps(x1));
      rows.push({
        backend, layer: `${s.k}x${s.k} ${s.cin}→${s.cout} @${s.hw}², heads ${layer.heads}`, batch, kept, flopsRatio,
        evalKernel: hasDgcEvalKernel(), trainKernel: hasDgcTrainKernel(),
        trainMs: trainMs!, maskedTrainMs: maskedTrainMs!, denseTrainMs: denseTrainMs!,
        keptMs: keptMs!, maskedMs: maskedMs!, denseMs: denseMs!, keptMs1: keptMs1!, maskedMs1: maskedMs1!, denseMs1: denseMs1!,
      });
      layer.dispose();
      dense.dispose();
      tf.dispose([x, x1]);
    }
  }
  return rows;
}

interface ModelCase { model: string; input: number; batch: number; train: number | null }

/** The model rows: quick, or the set (dyresnet18 at batch 1, DenseNet-86 at batch 1 and 64, training steps). */
export function dgcModelCases(quick: boolean): ModelCase[] {
  if (quick) {
    return [
      { model: 'dyresnet_bottleneck_small', input: 28, batch: 1, train: 32 },
      { model: 'dydensenet86_cifar100', input: 32, batch: 1, train: null },
    ];
  }
  return [
    { model: 'dyresnet18', input: 224, batch: 1, train: null },
    { model: 'dydensenet86_cifar100', input: 32, batch: 1, train: 16 },
    { model: 'dydensenet86_cifar100', input: 32, batch: 64, train: null },
    { model: 'dyresnet_bottleneck_small', input: 28, batch: 1, train: 64 },
  ];
}

/** Training steps of a model on a fixed batch (softmax cross-entropy, momentum SGD), as the step benchmark times them. */
function trainModelStep(m: Module, batch: number, input: number, channels: number, classes: number): { step: () => tf.Tensor[]; dispose: () => void } {
  const x = tf.randomNormal([batch, input, input, channels], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % classes), 'int32'), classes);
  const opt = tf.train.momentum(0.01, 0.9);
  return {
    step: () => {
      m.train();
      const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, m.call(x)) as tf.Scalar, true, m.trainableVariables());
      return [loss!];
    },
    dispose: () => { opt.dispose(); tf.dispose([x, y]); },
  };
}

export async function benchDgcModels(opts: { quick?: boolean; iters?: number; warmup?: number; cases?: ModelCase[] } = {}): Promise<DgcModelBenchRow[]> {
  const quick = opts.quick ?? false;
  const iters = opts.iters ?? (quick ? 3 : 7);
  const warmup = opts.warmup ?? 2;
  const backend = tf.getBackend();
  const rows: DgcModelBenchRow[] = [];
  for (const c of opts.cases ?? dgcModelCases(quick)) {
    manualSeed(0);
    const m = createModel(c.model);
    finishDgcSchedule(m);
    const { name: twinName, model: twin } = createDenseTwin(c.model);
    const cfg = (m as unknown as { config: { inChannels: number; numClasses: number } }).config;
    const shape = [1, c.input, c.input, cfg.inChannels];
    const flopsRatio = (await macs(m, shape)) / (await macs(twin, shape));
    m.eval();
    twin.eval();
    const x = tf.randomNormal([c.batch, c.input, c.input, cfg.inChannels], 0, 1, 'float32', 2);
    const [keptMs, maskedMs, twinMs] = await medianMsInterleaved(iters, warmup, [
      () => [m.call(x)],
      () => {
        setEvalImpl(m, 'composite');
        try { return [m.call(x)]; } finally { setEvalImpl(m, 'auto'); }
      },
      () => [twin.call(x)],
    ]);
    let trainMs: number | null = null;
    let twinTrainMs: number | null = null;
    if (c.train !== null) {
      const a = trainModelStep(m, c.train, c.input, cfg.inChannels, cfg.numClasses);
      const b = trainModelStep(twin, c.train, c.input, cfg.inChannels, cfg.numClasses);
      [trainMs, twinTrainMs] = (await medianMsInterleaved(Math.max(3, iters - 2), 1, [a.step, b.step])) as [number, number];
      a.dispose();
      b.dispose();
    }
    rows.push({ backend, model: c.model, twin: twinName, input: c.input, batch: c.batch, flopsRatio, keptMs: keptMs!, maskedMs: maskedMs!, twinMs: twinMs!, trainMs, twinTrainMs });
    x.dispose();
    m.dispose();
    twin.dispose();
  }
  return rows;
}
