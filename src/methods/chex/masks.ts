// Channel masks (docs/methods/chex.md §2.6): a 0/1 vector per prunable conv, applied by zeroing the conv's output
// filters, the γ and β of the BN after it, and the consumer conv's input columns. Running statistics, gradients and
// momentum buffers are not touched; re-applying after every optimiser step keeps pruned weights exactly zero.
import * as tf from '@tensorflow/tfjs-core';
import type { PrunableLayer } from './roles.js';

/** Device-side mask tensors of one layer, cached until the masks change. */
interface MaskTensors {
  out: tf.Tensor; // [1,1,1,C] for the conv filter [kh,kw,in,C]
  vec: tf.Tensor; // [C] for γ and β
  cols: tf.Tensor; // [1,1,C,1] for the consumer filter [kh,kw,C,out]
}

export class MaskSet {
  private tensors: MaskTensors[] | null = null;

  constructor(readonly layers: readonly PrunableLayer[], private masks: Uint8Array[]) {
    masks.forEach((m, i) => {
      if (m.length !== layers[i]!.channels) throw new Error(`mask of ${layers[i]!.name}: expected ${layers[i]!.channels} entries, got ${m.length}`);
    });
  }

  get values(): readonly Uint8Array[] {
    return this.masks;
  }

  /** Replaces the masks (the cached device tensors are rebuilt on the next apply). */
  set(masks: Uint8Array[]): void {
    this.masks = masks;
    this.disposeTensors();
  }

  /** Active channels per layer. */
  counts(): number[] {
    return this.masks.map((m) => m.reduce((a, b) => a + b, 0));
  }

  /** Zeroes pruned filters, their BN γ/β and the consumers' input columns in the model's variables. */
  apply(): void {
    if (!this.tensors) {
      this.tensors = this.masks.map((m, i) => {
        const c = this.layers[i]!.channels;
        const f = Float32Array.from(m);
        return { out: tf.tensor4d(f, [1, 1, 1, c]), vec: tf.tensor1d(f), cols: tf.tensor4d(f, [1, 1, c, 1]) };
      });
    }
    this.layers.forEach((l, i) => {
      const t = this.tensors![i]!;
      mulAssign(l.conv.weight.variable, t.out);
      if (l.bn.weight) mulAssign(l.bn.weight.variable, t.vec);
      if (l.bn.bias) mulAssign(l.bn.bias.variable, t.vec);
      if (l.consumer) mulAssign(l.consumer.weight.variable, t.cols);
    });
  }

  private disposeTensors(): void {
    for (const t of this.tensors ?? []) tf.dispose([t.out, t.vec, t.cols]);
    this.tensors = null;
  }

  dispose(): void {
    this.disposeTensors();
  }
}

function mulAssign(v: tf.Variable, m: tf.Tensor): void {
  const next = tf.mul(v, m);
  v.assign(next);
  next.dispose();
}

/** 0/1 mask of length c with ones at `active`. */
export function maskFrom(c: number, active: Iterable<number>): Uint8Array {
  const m = new Uint8Array(c);
  for (const j of active) m[j] = 1;
  return m;
}
