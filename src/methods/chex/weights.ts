// Host-side copies of the tensors CHEX reads and restores (conv filters in tfjs layout [kh,kw,in,out], BN vectors),
// and the views the selection works on: the filter matrix W (D × C, column j = output channel j flattened
// input-major, then kh, kw), all-zero rows, and row/column copies between two copies of a filter.
import type { ColMatrix } from './svd.js';
import type { PrunableLayer } from './roles.js';
import type { Buffer, Parameter } from '../../nn/parameter.js';

export type HostTensors = Map<string, Float32Array>;

const BN_KEYS = ['weight', 'bias', 'running_mean', 'running_var'] as const;

/** The variables CHEX reads/restores, keyed by state-dict name: prunable convs, their BNs and the consumers. */
export function trackedVariables(layers: readonly PrunableLayer[]): Map<string, Parameter | Buffer> {
  const out = new Map<string, Parameter | Buffer>();
  for (const l of layers) {
    out.set(`${l.name}.weight`, l.conv.weight);
    const bn = { weight: l.bn.weight, bias: l.bn.bias, running_mean: l.bn.runningMean, running_var: l.bn.runningVar };
    for (const k of BN_KEYS) {
      const v = bn[k];
      if (!v) throw new Error(`grow-prune: ${l.bnName} must be affine with running statistics (missing ${k})`);
      out.set(`${l.bnName}.${k}`, v);
    }
    if (l.consumer) out.set(`${l.consumerName}.weight`, l.consumer.weight);
  }
  return out;
}

export function readHost(vars: Map<string, Parameter | Buffer>): HostTensors {
  return new Map([...vars].map(([k, v]) => [k, Float32Array.from(v.variable.dataSync() as Float32Array)]));
}

export function copyHost(h: HostTensors): HostTensors {
  return new Map([...h].map(([k, v]) => [k, Float32Array.from(v)]));
}

/** Filter shape [kh, kw, in, out] of a conv. */
function dims(l: PrunableLayer['conv']): [number, number, number] {
  const [kh, kw, cin, cout] = l.weight.shape as [number, number, number, number];
  return [kh * kw, cin, cout];
}

/** W ∈ R^{D×C} of a tfjs filter [kh,kw,in,out]: column j = filter of output channel j. */
export function filterMatrix(w: Float32Array, conv: PrunableLayer['conv']): ColMatrix {
  const [hw, cin, cout] = dims(conv);
  const cols = Array.from({ length: cout }, () => new Float64Array(hw * cin));
  for (let p = 0; p < hw; p++) {
    for (let i = 0; i < cin; i++) {
      const base = (p * cin + i) * cout;
      for (let o = 0; o < cout; o++) cols[o]![i * hw + p] = w[base + o]!;
    }
  }
  return { rows: hw * cin, cols };
}

/** Output channels whose filter is entirely zero (how the official code identifies pruned channels). */
export function zeroOutputs(w: Float32Array, conv: PrunableLayer['conv']): number[] {
  const [hw, cin, cout] = dims(conv);
  const nonzero = new Uint8Array(cout);
  for (let base = 0; base < hw * cin * cout; base += cout) for (let o = 0; o < cout; o++) if (w[base + o] !== 0) nonzero[o] = 1;
  const out: number[] = [];
  for (let o = 0; o < cout; o++) if (!nonzero[o]) out.push(o);
  return out;
}

/** dst[..., o] ← src[..., o] for output channels `outs` of a tfjs filter. */
export function copyOutputs(dst: Float32Array, src: Float32Array, conv: PrunableLayer['conv'], outs: readonly number[]): void {
  const [hw, cin, cout] = dims(conv);
  for (let base = 0; base < hw * cin * cout; base += cout) for (const o of outs) dst[base + o] = src[base + o]!;
}

/** dst[..., i, :] ← src[..., i, :] for input channels `ins` of a tfjs filter. */
export function copyInputs(dst: Float32Array, src: Float32Array, conv: PrunableLayer['conv'], ins: readonly number[]): void {
  const [hw, cin, cout] = dims(conv);
  for (let p = 0; p < hw; p++) {
    for (const i of ins) {
      const base = (p * cin + i) * cout;
      for (let o = 0; o < cout; o++) dst[base + o] = src[base + o]!;
    }
  }
}

/** BN entries of channels `idx` from src to dst (γ, β, running mean and variance). */
export function copyBn(dst: HostTensors, src: HostTensors, bnName: string, idx: readonly number[]): void {
  for (const k of BN_KEYS) {
    const d = dst.get(`${bnName}.${k}`)!;
    const s = src.get(`${bnName}.${k}`)!;
    for (const j of idx) d[j] = s[j]!;
  }
}
