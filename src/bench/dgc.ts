// DGC layer benchmark on the active backend (docs/methods/dgc.md §1.8): a DGC layer's training step (forward +
// backward, masked form as the official code computes it; heads through the fused kernel where the backend has one,
// and through the stock-op composite) against the dense conv of the same shape (both give the input gradient too, as
// inside a network), and inference
// (eval forward) of the masked path vs the gathered path (kept channels only) vs the dense conv, at the README's kept
// fractions 0.25 (DenseNet) and 0.45 (ResNet-18).
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng.js';
import { dgcForwardGathered } from '../methods/dgc/gathered.js';
import { DynamicMultiHeadConv } from '../methods/dgc/layer.js';
import { hasDgcHeadsKernel } from '../ops/dgc/index.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { manualSeed } from '../nn/init.js';
import { medianMsInterleaved, randomTensor } from './timing.js';

export interface DgcBenchOptions {
  /** batch 4 instead of 32, fewer iterations */
  quick?: boolean;
  batch?: number;
  iters?: number;
  warmup?: number;
  /** spatial size divided by this (the pure-JS cpu backend runs the layers at 1/4 of the size); default 1 */
  downscale?: number;
}

export interface DgcBenchRow {
  backend: string;
  /** e.g. '1x1 256→128 @16², heads 4' */
  layer: string;
  /** kept fraction per head (gate factor) */
  kept: number;
  /** how the heads ran in trainMs: 'kernel' (fused ChanlabDgcHeads) or 'composite' (no kernel on this backend) */
  heads: 'kernel' | 'composite';
  /** median ms of the DGC layer forward + backward (training mode, masked; gradients of input and parameters) */
  trainMs: number;
  /** the same with the heads forced to the stock-op composite */
  compositeTrainMs: number;
  /** median ms of a dense conv2d forward + backward of the same shape (input and filter gradients; no BN, no gate) */
  denseTrainMs: number;
  /** the same for the pre-activation dense layer BN → ReLU → conv (the static baselines' layer; the DGC layer has BN → ReLU inside) */
  densePreActTrainMs: number;
  /** median ms of the eval forward: masked path, gathered path, dense conv */
  maskedMs: number;
  gatheredMs: number;
  denseMs: number;
  /** maskedMs / gatheredMs */
  gatherSpeedup: number;
  /** the same three at batch 1 (latency; the gathered path runs a real conv2d over the kept channels there) */
  maskedMs1: number;
  gatheredMs1: number;
  denseMs1: number;
  gatherSpeedup1: number;
}

const SHAPES = [
  { k: 1, cin: 256, cout: 128, hw: 16, stride: 1, pad: 0 }, // a CIFAR DenseNet-86 block-2/3 DGC 1×1 layer
  { k: 3, cin: 128, cout: 128, hw: 28, stride: 1, pad: 1 }, // a dyresnet18 layer2 3×3 DGC layer
  { k: 1, cin: 64, cout: 32, hw: 32, stride: 1, pad: 0 }, // a CIFAR DenseNet-86 block-1 DGC 1×1 layer (8 outputs per head)
];

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
      layer.inactiveChannels = Math.round(s.cin * (1 - kept));
      const x = tf.variable(randomTensor([batch, s.hw, s.hw, s.cin], rng, -1, 1)) as tf.Variable<tf.Rank.R4>;
      const w = tf.variable(randomTensor([s.k, s.k, s.cin, s.cout], rng, -0.1, 0.1)) as tf.Variable<tf.Rank.R4>;
      const vars = [x, ...layer.trainableVariables()];
      const pad = s.pad === 0 ? 'valid' as const : [[0, 0], [s.pad, s.pad], [s.pad, s.pad], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
      const dense = () => tf.conv2d(x, w, s.stride, pad);
      const trainStep = (vs: tf.Variable[], f: () => tf.Tensor) => () => {
        const { value, grads } = tf.variableGrads(() => tf.sum(f()) as tf.Scalar, vs);
        return [value, ...Object.values(grads)];
      };
      layer.train();
      const viaComposite = () => {
        layer.headsImpl = 'composite';
        try { return layer.call(x); } finally { layer.headsImpl = 'auto'; }
      };
      const bn = new BatchNorm2d(s.cin);
      bn.train();
      const densePreAct = () => tf.conv2d(tf.relu(bn.call(x)) as tf.Tensor4D, w, s.stride, pad);
      const [trainMs, compositeTrainMs, denseTrainMs, densePreActTrainMs] = await medianMsInterleaved(iters, warmup, [
        trainStep(vars, () => layer.call(x)), trainStep(vars, viaComposite), trainStep([x, w], dense),
        trainStep([x, w, ...bn.trainableVariables()], densePreAct),
      ]);
      bn.dispose();
      layer.eval();
      const [maskedMs, gatheredMs, denseMs] = await medianMsInterleaved(iters, warmup, [
        () => [layer.call(x)], () => [dgcForwardGathered(layer, x)], () => [dense()],
      ]);
      const x1 = tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
      const [maskedMs1, gatheredMs1, denseMs1] = await medianMsInterleaved(iters * 2, warmup, [
        () => [layer.call(x1)], () => [dgcForwardGathered(layer, x1)], () => [tf.conv2d(x1, w, s.stride, pad)],
      ]);
      rows.push({
        backend, layer: `${s.k}x${s.k} ${s.cin}→${s.cout} @${s.hw}², batch ${batch}, heads ${layer.heads}`, kept,
        heads: hasDgcHeadsKernel() ? 'kernel' : 'composite',
        trainMs: trainMs!, compositeTrainMs: compositeTrainMs!, denseTrainMs: denseTrainMs!, densePreActTrainMs: densePreActTrainMs!, maskedMs: maskedMs!, gatheredMs: gatheredMs!, denseMs: denseMs!,
        gatherSpeedup: maskedMs! / gatheredMs!,
        maskedMs1: maskedMs1!, gatheredMs1: gatheredMs1!, denseMs1: denseMs1!, gatherSpeedup1: maskedMs1! / gatheredMs1!,
      });
      layer.dispose();
      tf.dispose([x, x1, w]);
    }
  }
  return rows;
}
