// Parameters and buffers: a tf.Variable plus how it maps to PyTorch's layout and dtype in a state dict.
import * as tf from '@tensorflow/tfjs-core';

/** How a stored tensor relates to its PyTorch state-dict form. */
export interface TorchLayout {
  /** PyTorch shape of this tensor. */
  torchShape(shape: number[]): number[];
  /** Our layout → PyTorch layout. */
  toTorch(t: tf.Tensor): tf.Tensor;
  /** PyTorch layout → our layout. */
  fromTorch(t: tf.Tensor): tf.Tensor;
}

export const IDENTITY_LAYOUT: TorchLayout = {
  torchShape: (s) => s.slice(),
  toTorch: (t) => t.clone(),
  fromTorch: (t) => t.clone(),
};

/** Conv weight: ours `[kh,kw,in/groups,out]` (tfjs HWIO) ↔ PyTorch `[out,in/groups,kh,kw]`. */
export const CONV_LAYOUT: TorchLayout = {
  torchShape: ([kh, kw, i, o]) => [o!, i!, kh!, kw!],
  toTorch: (t) => tf.transpose(t, [3, 2, 0, 1]),
  fromTorch: (t) => tf.transpose(t, [2, 3, 1, 0]),
};

/** Linear weight: ours `[in,out]` ↔ PyTorch `[out,in]`. */
export const LINEAR_LAYOUT: TorchLayout = {
  torchShape: ([i, o]) => [o!, i!],
  toTorch: (t) => tf.transpose(t, [1, 0]),
  fromTorch: (t) => tf.transpose(t, [1, 0]),
};

export type TorchDtype = 'float32' | 'int64';

export class Parameter {
  readonly variable: tf.Variable;
  constructor(
    value: tf.Tensor,
    readonly layout: TorchLayout = IDENTITY_LAYOUT,
    readonly requiresGrad = true,
  ) {
    this.variable = tf.variable(value, requiresGrad);
    value.dispose();
  }
  get shape(): number[] {
    return this.variable.shape;
  }
  get size(): number {
    return this.variable.size;
  }
  assign(t: tf.Tensor): void {
    this.variable.assign(t);
  }
  /** Assigns a freshly made tensor and disposes it (for re-initialisation). */
  reset(t: tf.Tensor): void {
    this.variable.assign(t);
    t.dispose();
  }
  dispose(): void {
    this.variable.dispose();
  }
}

/** Non-trainable state (BN running stats, counters, masks). `torchDtype` is the dtype in a PyTorch state dict. */
export class Buffer {
  readonly variable: tf.Variable;
  constructor(
    value: tf.Tensor,
    readonly torchDtype: TorchDtype = 'float32',
    readonly layout: TorchLayout = IDENTITY_LAYOUT,
  ) {
    this.variable = tf.variable(value, false);
    value.dispose();
  }
  get shape(): number[] {
    return this.variable.shape;
  }
  assign(t: tf.Tensor): void {
    this.variable.assign(t);
  }
  dispose(): void {
    this.variable.dispose();
  }
}
