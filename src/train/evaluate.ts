// Evaluation: top-1 / top-5 accuracy (percent) and mean cross-entropy over a loader's whole data set, in eval mode.
// Samples whose logits hold NaN/Inf count as wrong and are reported (nonFinite); labels outside the model's classes
// are an error naming the data set.
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
  /** samples whose logits hold NaN or ±Inf (counted wrong) */
  nonFinite: number;
}

export interface EvaluateOptions {
  /** called after each batch with (batches done, total) */
  onBatch?: (done: number, total: number) => void;
  /** names the data in errors (default 'the test set') */
  dataName?: string;
}

export async function evaluate(model: Module, loader: DataLoader, opts: EvaluateOptions = {}): Promise<EvalResult> {
  const wasTraining = model.training;
  model.eval();
  const t0 = performance.now();
  let n = 0;
  let c1 = 0;
  let c5 = 0;
  let lossSum = 0;
  let nonFinite = 0;
  const what = opts.dataName ?? 'the test set';
  const nb = loader.batchesPerEpoch;
  // the next batch loads (in the loader's worker threads, if it has them) while the model runs on this one
  const load = (b: number) => {
    const p = loader.batchAt(0, b);
    p.catch(() => undefined); // awaited below; never an unhandled rejection when an earlier batch fails
    return p;
  };
  let next = nb > 0 ? load(0) : null;
  try {
    for (let b = 0; b < nb; b++) {
      const batch = await next!;
      next = b + 1 < nb ? load(b + 1) : null;
      const logits = tf.tidy(() => model.call(tf.tensor4d(batch.x, batch.shape)));
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      const k = values.length / batch.y.length;
      for (let i = 0; i < batch.y.length; i++) {
        const y = batch.y[i]!;
        if (!(y >= 0 && y < k)) {
          throw new Error(`evaluate: ${what} has label ${y} (sample ${batch.indices[i] ?? i}) but the model has ${k} classes ` +
            `(labels must be in [0, ${k})); use a model built for this data set's classes`);
        }
      }
      const [a1, a5] = topkCorrect(values, k, batch.y, [1, Math.min(5, k)]);
      c1 += a1!;
      c5 += a5!;
      for (let i = 0; i < batch.y.length; i++) {
        const row = values.subarray(i * k, (i + 1) * k);
        let max = -Infinity;
        let finite = true;
        for (const v of row) {
          max = Math.max(max, v);
          if (!Number.isFinite(v)) finite = false;
        }
        if (!finite) nonFinite++;
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
  return { top1: (100 * c1) / n, top5: (100 * c5) / n, loss: lossSum / n, samples: n, seconds, imgPerSec: n / seconds, nonFinite };
}
