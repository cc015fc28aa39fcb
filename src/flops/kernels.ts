// Maps tfjs kernels seen during a profiled forward pass to primitive op records. Used for ops that run outside any
// leaf module (a block's residual `relu(add(...))`) and for leaf modules the counter does not know.
// tfjs profiles record kernel names and input/output shapes, not attributes: pool kernel sizes, conv strides and
// matmul transposes are inferred from shapes where possible (documented per case).
import type { OpKind, OpRecord, Shape } from './ops.js';
import { numel } from './ops.js';

export interface KernelEvent {
  name: string;
  inputShapes: Array<Shape | null>;
  outputShapes: Shape[];
}

const RELU = new Set(['Relu', 'Relu6', 'LeakyRelu', 'Elu', 'Prelu', 'Selu']);
const ADD = new Set(['Add', 'AddN', 'Sub']);
/** Kernels that move or view data and never count. */
const FREE = new Set([
  'Reshape', 'Transpose', 'Concat', 'Slice', 'StridedSlice', 'Pad', 'PadV2', 'MirrorPad', 'Cast', 'Identity', 'Pack',
  'Unpack', 'SplitV', 'Fill', 'ZerosLike', 'OnesLike', 'ExpandDims', 'Squeeze', 'Tile', 'GatherV2', 'Clone',
]);

/** The primitive record of one kernel, or null for free kernels. */
export function kernelToOp(ev: KernelEvent, name: string): OpRecord | null {
  if (FREE.has(ev.name)) return null;
  const x = ev.inputShapes[0] ?? [];
  const y = ev.outputShapes[0] ?? [];
  const base = { name, type: `fn:${ev.name}`, inputShape: x, outputShape: y, params: 0, functional: true };
  const rec = (kind: OpKind, extra: Partial<OpRecord> = {}): OpRecord => ({ ...base, kind, ...extra });
  if (RELU.has(ev.name)) return rec('relu');
  if (ev.name === 'Sigmoid') return rec('sigmoid');
  if (ev.name === 'Tanh') return rec('tanh');
  if (ADD.has(ev.name)) return rec('add', { inputShape: y });
  if (ev.name === 'Multiply') return rec('mul', { inputShape: y });
  if (ev.name === 'Mean') return rec('gap');
  if (ev.name === 'FusedBatchNorm') return rec('bn', { affine: ev.inputShapes[3] != null || ev.inputShapes[4] != null });
  if (ev.name === 'Conv2D' || ev.name === 'FusedConv2D') {
    const f = ev.inputShapes[1] ?? [1, 1, x[3] ?? 1, y[3] ?? 1];
    return rec('conv', { kernel: [f[0]!, f[1]!], inChannels: f[2], outChannels: f[3], groups: 1, bias: ev.inputShapes[2] != null && ev.name === 'FusedConv2D' });
  }
  if (ev.name === 'DepthwiseConv2dNative' || ev.name === 'FusedDepthwiseConv2D') {
    const f = ev.inputShapes[1] ?? [1, 1, x[3] ?? 1, 1];
    return rec('conv', { kernel: [f[0]!, f[1]!], inChannels: f[2], outChannels: f[2]! * f[3]!, groups: f[2] });
  }
  if (ev.name === 'BatchMatMul' || ev.name === '_FusedMatMul') {
    // y = [b, m, n]; k = numel(a) / (b·m) whichever way a is transposed.
    const b = y.length === 3 ? y[0]! : 1;
    const m = y[y.length - 2] ?? 1;
    const n = y[y.length - 1] ?? 1;
    const k = numel(x) / (b * m);
    return rec('linear', { inputShape: [b * m, k], outputShape: [b * m, n], inChannels: k, outChannels: n, bias: false });
  }
  if (ev.name === 'MaxPool' || ev.name === 'AvgPool') {
    // Kernel size is not in the profile: assume non-overlapping windows (k = H/Ho), exact for global/2×2 pools.
    const kh = Math.max(1, Math.round((x[1] ?? 1) / (y[1] ?? 1)));
    const kw = Math.max(1, Math.round((x[2] ?? 1) / (y[2] ?? 1)));
    return rec(ev.name === 'MaxPool' ? 'maxpool' : 'avgpool', { kernel: [kh, kw] });
  }
  if (ev.name === 'ChanlabPix') return rec('pix', { zeta: Math.ceil((x[3] ?? 1) / (y[3] ?? 1)) });
  return rec('other');
}
