// Primitive operation records: what the FLOP counter captures from a forward pass (or what a contributor lists for
// itself), before any counting convention prices them. Shapes are NHWC ([N,H,W,C]) for
// feature maps and [N,F] for vectors, as everywhere in chanlab.

export type Shape = readonly number[];

/** Primitive kinds the conventions know how to price. */
export type OpKind =
  | 'conv' // Conv2d (also a functional Conv2D/DepthwiseConv2dNative kernel)
  | 'linear' // Linear / BatchMatMul
  | 'bn' // BatchNorm2d (inference or training: same count)
  | 'relu' // ReLU and friends (ReLU6, LeakyReLU, ELU, PReLU)
  | 'sigmoid'
  | 'tanh'
  | 'maxpool' // fixed-kernel max pooling
  | 'avgpool' // fixed-kernel average pooling
  | 'gap' // adaptive average pooling / mean over H×W (global context)
  | 'add' // element-wise add (residual sums)
  | 'mul' // element-wise / broadcast multiply (gating)
  | 'pix' // the PiX channel-fusion operator (the custom op itself, not its probability path)
  | 'none' // shape-only or free ops: dropout, flatten, reshape, concat, identity
  | 'other'; // a compute kernel no convention prices (listed in the report as uncounted)

export interface OpRecord {
  /** Dotted module path; functional ops get `<owner>.<fn:Kernel#i>`. */
  name: string;
  /** Module class name, or `fn:<tfjs kernel name>` for ops called outside any leaf module. */
  type: string;
  kind: OpKind;
  inputShape: Shape;
  outputShape: Shape;
  /** Learnable parameter elements owned by this record (0 for functional ops). */
  params: number;
  /** True for ops found between module calls (e.g. the residual `relu(add(...))` of a ResNet block). */
  functional?: boolean;
  // conv / linear
  inChannels?: number;
  outChannels?: number;
  kernel?: readonly [number, number];
  groups?: number;
  bias?: boolean;
  /** Fraction of weight entries that are not exactly 0 (CHEX's rule); 1 when unknown. */
  nonzeroFraction?: number;
  // pools
  stride?: readonly [number, number];
  padding?: readonly [number, number];
  // bn
  affine?: boolean;
  // pix
  zeta?: number;
  /** PiX reduction: 'pick-or-mix' (default), 'w-pix' costs two fusion passes. */
  reduce?: string;
}

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Output spatial size of a conv/pool with PyTorch semantics: floor((H + 2p − k)/s) + 1. */
export function outSize(h: number, k: number, s: number, p: number): number {
  return Math.floor((h + 2 * p - k) / s) + 1;
}

/** MACs of a conv record: N·Ho·Wo·Cout·(Cin/groups)·kh·kw (weights only, dense). */
export function convMacs(op: OpRecord): number {
  const [n, ho, wo, cout] = op.outputShape as [number, number, number, number];
  const cin = op.inChannels ?? (op.inputShape[3] as number);
  const [kh, kw] = op.kernel ?? [1, 1];
  const g = op.groups ?? 1;
  return n * ho * wo * cout * (cin / g) * kh * kw;
}

/** MACs of a linear record: N·in·out (weights only). */
export function linearMacs(op: OpRecord): number {
  const inF = op.inChannels ?? (op.inputShape[op.inputShape.length - 1] as number);
  const outF = op.outChannels ?? (op.outputShape[op.outputShape.length - 1] as number);
  return (numel(op.inputShape) / inF) * inF * outF;
}

/** Batch (leading dimension) of a shape. */
export function batchOf(shape: Shape): number {
  return shape.length > 0 ? (shape[0] as number) : 1;
}
