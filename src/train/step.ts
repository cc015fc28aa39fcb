// One optimiser step's pieces: the forward + backward of a micro-batch, the sum of a step's micro-batches
// (gradient accumulation), and the running loss sum kept on the device.
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/loader.js';
import type { Module } from '../nn/module.js';
import type { TrainConfig } from './config.js';
import type { TrainHooks } from './hooks.js';
import { classificationLoss } from './loss.js';

/** A running sum of per-sample losses kept on the device, read only when needed. */
export class LossMeter {
  private pending: tf.Tensor | null = null;
  sum = 0;
  samples = 0;
  add(loss: tf.Scalar, n: number): void {
    const next = tf.tidy(() => (this.pending ? tf.add(this.pending, tf.mul(loss, n)) : tf.mul(loss, n)));
    this.pending?.dispose();
    this.pending = next;
    this.samples += n;
  }
  /** Reads the pending sum (asynchronously: a webgpu backend cannot be read synchronously in Node). */
  async flush(): Promise<number> {
    if (this.pending) {
      this.sum += (await this.pending.data())[0]!;
      this.pending.dispose();
      this.pending = null;
    }
    return this.sum;
  }
  reset(sum = 0, samples = 0): void {
    this.pending?.dispose();
    this.pending = null;
    this.sum = sum;
    this.samples = samples;
  }
}

/** The gradients (by parameter name) and loss of a step, summed over its micro-batches. */
export class StepSum {
  private grads: Map<string, tf.Tensor> | null = null;
  private loss: tf.Scalar | null = null;

  /** Takes ownership of `grads` and `loss`. */
  add(grads: Map<string, tf.Tensor>, loss: tf.Scalar): void {
    if (this.loss) {
      const sum = tf.add(this.loss, loss) as tf.Scalar;
      this.loss.dispose();
      loss.dispose();
      this.loss = sum;
    } else this.loss = loss;
    if (this.grads) {
      for (const [k, g] of grads) {
        const sum = tf.add(this.grads.get(k)!, g);
        this.grads.get(k)!.dispose();
        g.dispose();
        this.grads.set(k, sum);
      }
    } else this.grads = grads;
  }

  /** The sums, handed over to the caller (who disposes them); the sum starts again empty. */
  take(): { grads: Map<string, tf.Tensor>; loss: tf.Scalar } {
    const r = { grads: this.grads!, loss: this.loss! };
    this.grads = null;
    this.loss = null;
    return r;
  }

  dispose(): void {
    if (this.grads) tf.dispose([...this.grads.values()]);
    this.loss?.dispose();
    this.grads = null;
    this.loss = null;
  }
}

/**
 * Forward + backward of one micro-batch; returns gradients (by parameter name) already divided by `groupSize`, and
 * the loss / groupSize (summed over a group: the step's mean loss).
 */
export function microStep(
  model: Module, cfg: TrainConfig, batch: Batch, vars: tf.Variable[], paramName: Map<string, string>, groupSize: number,
  meter: LossMeter, hooks: TrainHooks,
): { grads: Map<string, tf.Tensor>; loss: tf.Scalar } {
  const x = tf.tensor4d(batch.x, batch.shape);
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.call(x);
    let loss = classificationLoss(cfg.loss, logits, batch.y, batch.softY);
    const aux = cfg.auxLossWeight ? hooks.auxiliaryLoss?.() : null;
    if (aux) loss = tf.add(loss, tf.mul(aux, cfg.auxLossWeight!));
    return groupSize > 1 ? tf.div(loss, groupSize) : loss;
  }, vars);
  x.dispose();
  const unscaled = groupSize > 1 ? (tf.mul(value, groupSize) as tf.Scalar) : value;
  meter.add(unscaled, batch.y.length);
  if (unscaled !== value) unscaled.dispose();
  const out = new Map<string, tf.Tensor>();
  for (const [vname, g] of Object.entries(grads)) out.set(paramName.get(vname)!, g);
  return { grads: out, loss: value };
}
