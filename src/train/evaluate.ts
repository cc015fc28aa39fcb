// Evaluation: top-1 / top-5 accuracy (percent) and mean cross-entropy over a loader's whole data set, in eval mode.
import * as tf from '@tensorflow/tfjs-core';
import type { DataLoader } from '../data/loader.js';
import type { Module } from '../nn/module.js';
import { topkCorrect } from './loss.js';

export interface EvalResult {
  top1: number;
  top5: number;
  loss: number;
  samples: number;
  seconds: number;
  imgPerSec: number;
}

export interface EvaluateOptions {
  /** called after each batch with (batches done, total) */
  onBatch?: (done: number, total: number) => void;
}

export async function evaluate(model: Module, loader: DataLoader, opts: EvaluateOptions = {}): Promise<EvalResult> {
  const wasTraining = model.training;
  model.eval();
  const t0 = performance.now();
  let n = 0;
  let c1 = 0;
  let c5 = 0;
  let lossSum = 0;
  const nb = loader.batchesPerEpoch;
  try {
    for (let b = 0; b < nb; b++) {
      const batch = await loader.batchAt(0, b);
      const logits = tf.tidy(() => model.call(tf.tensor4d(batch.x, batch.shape)));
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      const k = values.length / batch.y.length;
      const [a1, a5] = topkCorrect(values, k, batch.y, [1, Math.min(5, k)]);
      c1 += a1!;
      c5 += a5!;
      for (let i = 0; i < batch.y.length; i++) {
        const row = values.subarray(i * k, (i + 1) * k);
        let max = -Infinity;
        for (const v of row) max = Math.max(max, v);
        let s = 0;
        for (const v of row) s += Math.exp(v - max);
        lossSum += max + Math.log(s) - row[batch.y[i]!]!;
      }
      n += batch.y.length;
      opts.onBatch?.(b + 1, nb);
    }
  } finally {
    model.train(wasTraining);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { top1: (100 * c1) / n, top5: (100 * c5) / n, loss: lossSum / n, samples: n, seconds, imgPerSec: n / seconds };
}
