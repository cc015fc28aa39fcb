// The heads' parameters of a DGC layer stacked as its ops take them (docs/methods/dgc.md §1.2): fc1 weights
// w1 [h, d, C] (transposed: PyTorch's [out, in]), fc2 weights w2 [h, d, C] and biases b2 [h, C], conv kernels
// w [k, k, C, C'] head-major. Eval-mode
// forwards reuse one stacked copy until a variable holds new data (tfjs's assign swaps a variable's data id: an
// optimiser step, loadStateDict), so a forward pass does not re-stack 4·h tensors.
import * as tf from '@tensorflow/tfjs-core';
import { dgcStackHeads, type DgcHeadParams } from '../../ops/dgc/index.js';

export type HeadTensors = DgcHeadParams;

/** The variables of the heads, per head: fc1 weight [C, d], fc2 weight [d, C], fc2 bias [C], conv weight [k,k,C,C'/h]. */
export type HeadVariables = Array<{ fc1: tf.Variable; fc2: tf.Variable; bias: tf.Variable; conv: tf.Variable }>;

/** Stacks the heads (one op with one gradient, dgcStackHeads: gradients reach every head's variables). */
export function stackHeads(heads: HeadVariables): HeadTensors {
  return dgcStackHeads(heads);
}

/** A stacked copy kept for eval-mode forwards, rebuilt when any variable's data changed. */
export class StackedHeads {
  private ids: object[] = [];
  private stacked: HeadTensors | null = null;

  get(heads: HeadVariables): HeadTensors {
    const ids = heads.flatMap((v) => [v.fc1.dataId, v.fc2.dataId, v.bias.dataId, v.conv.dataId]);
    if (this.stacked !== null && ids.length === this.ids.length && ids.every((id, i) => id === this.ids[i])) return this.stacked;
    this.dispose();
    const s = stackHeads(heads);
    this.stacked = { w1: tf.keep(s.w1), w2: tf.keep(s.w2), b2: tf.keep(s.b2), w: tf.keep(s.w) };
    this.ids = ids;
    return this.stacked;
  }

  dispose(): void {
    if (this.stacked) tf.dispose([this.stacked.w1, this.stacked.w2, this.stacked.b2, this.stacked.w]);
    this.stacked = null;
    this.ids = [];
  }
}
