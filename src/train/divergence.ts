// Non-finite detection cheap enough to leave on: every optimiser step's loss is read back one step late (the read
// of step s is awaited after step s+1 is queued, so a GPU never waits on it), and all pending reads are settled
// before anything is saved or evaluated. The first NaN/Inf loss stops the run with a DivergedError naming the step,
// its lr and the last finite loss.
import * as tf from '@tensorflow/tfjs-core';
import { DivergedError } from './stop.js';

interface Pending {
  step: number;
  epoch: number;
  lr: number;
  loss: tf.Scalar;
  read: Promise<ArrayLike<number>>;
}

export class DivergenceWatch {
  private queue: Pending[] = [];
  lastFinite: { step: number; loss: number } | null = null;

  /** Takes ownership of `loss` (the step's mean loss over its micro-batches). */
  push(step: number, epoch: number, lr: number, loss: tf.Scalar): void {
    this.queue.push({ step, epoch, lr, loss, read: loss.data() });
  }

  /** Settles all but the newest `keep` pending losses; throws at the first non-finite one. */
  async check(keep = 0, context = ''): Promise<void> {
    while (this.queue.length > keep) {
      const e = this.queue.shift()!;
      const v = (await e.read)[0]!;
      e.loss.dispose();
      if (!Number.isFinite(v)) {
        this.dispose();
        throw new DivergedError(`diverged: the training loss is ${v} at step ${e.step} (epoch ${e.epoch + 1}, lr ${fmt(e.lr)}); ` +
          `${this.lastText()}${context}`);
      }
      this.lastFinite = { step: e.step, loss: v };
    }
  }

  /** "last finite loss L at step s" or "no finite loss yet". */
  lastText(): string {
    return this.lastFinite ? `last finite loss ${fmt(this.lastFinite.loss)} at step ${this.lastFinite.step}` : 'no finite loss recorded since this process started the run';
  }

  dispose(): void {
    for (const e of this.queue) e.loss.dispose();
    this.queue = [];
  }
}

export const fmt = (x: number): string => (Number.isFinite(x) && x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3) ? x.toExponential(3) : String(+x.toPrecision(6)));
