// The `_inactive_channels` buffer of a DGC layer (docs/methods/dgc.md §1.2): float32 [1] holding how many input
// channels each head drops. It is saved in checkpoints so that a model evaluates with the sparsity it was trained to.
// The count is needed on the host (as topk's k), so it is mirrored here and re-read only when the variable holds new
// data (any assign: loadStateDict, the schedule, an EMA copy), never on every forward.
import * as tf from '@tensorflow/tfjs-core';
import { Buffer } from '../../nn/parameter.js';

export class InactiveChannelsBuffer extends Buffer {
  private cached = 0;
  /** the variable's data the mirror was read from (tf.Variable.assign swaps it) */
  private cachedFor: object;

  constructor(private readonly inChannels: number) {
    super(tf.zeros([1]));
    this.cachedFor = this.variable.dataId;
  }

  /** The count as an integer (PyTorch: `int(self._inactive_channels[0])`, truncation). */
  get count(): number {
    if (this.variable.dataId !== this.cachedFor) {
      const v = this.variable.dataSync()[0]!;
      if (!Number.isFinite(v) || v < 0 || v > this.inChannels) {
        throw new Error(`_inactive_channels: expected a count in [0, ${this.inChannels}] (input channels dropped per head), got ${v}`);
      }
      this.cached = Math.trunc(v);
      this.cachedFor = this.variable.dataId;
    }
    return this.cached;
  }

  set count(n: number) {
    if (!Number.isInteger(n) || n < 0 || n > this.inChannels) {
      throw new Error(`_inactive_channels: expected an integer in [0, ${this.inChannels}], got ${n}`);
    }
    if (n === this.count) return;
    const t = tf.tensor1d([n], 'float32');
    this.assign(t);
    t.dispose();
    this.cached = n;
    this.cachedFor = this.variable.dataId;
  }
}
