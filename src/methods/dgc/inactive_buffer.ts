// The `_inactive_channels` buffer of a DGC layer (docs/methods/dgc.md §1.2): float32 [1] holding how many input
// channels each head drops. It is saved in checkpoints so that a model evaluates with the sparsity it was trained to.
// The count is needed on the host (as topk's k), so it is mirrored here and re-read only after an assignment
// (loadStateDict, the schedule), never on every forward.
import * as tf from '@tensorflow/tfjs-core';
import { Buffer } from '../../nn/parameter.js';

export class InactiveChannelsBuffer extends Buffer {
  private cached: number | null = 0;

  constructor(private readonly inChannels: number) {
    super(tf.zeros([1]));
  }

  override assign(t: tf.Tensor): void {
    super.assign(t);
    this.cached = null;
  }

  /** The count as an integer (PyTorch: `int(self._inactive_channels[0])`, truncation). */
  get count(): number {
    if (this.cached === null) {
      const v = this.variable.dataSync()[0]!;
      if (!Number.isFinite(v) || v < 0 || v > this.inChannels) {
        throw new Error(`_inactive_channels: expected a count in [0, ${this.inChannels}] (input channels dropped per head), got ${v}`);
      }
      this.cached = Math.trunc(v);
    }
    return this.cached;
  }

  set count(n: number) {
    if (!Number.isInteger(n) || n < 0 || n > this.inChannels) {
      throw new Error(`_inactive_channels: expected an integer in [0, ${this.inChannels}], got ${n}`);
    }
    if (n === this.cached) return;
    const t = tf.tensor1d([n], 'float32');
    super.assign(t);
    t.dispose();
    this.cached = n;
  }
}
