// Optimizers on tf.Variables with PyTorch semantics and serialisable state, keyed by parameter name (not by tfjs
// variable name, which changes between processes), so a checkpoint restores them exactly.
//  - SGD: torch.optim.SGD (momentum, dampening, Nesterov, L2 weight decay added to the gradient).
//  - LAMB: timm 0.9.2 `Lamb` (NVLAMB): global grad-norm clipping, Adam moments with bias correction, decoupled
//    weight decay added to the update, trust ratio ‖w‖/‖u‖ only for groups with weight decay (or `alwaysAdapt`).
import * as tf from '@tensorflow/tfjs-core';
import { fusedSgdStep } from '../backend/fused_sgd.js';
import type { Module } from '../nn/module.js';

export interface ParamEntry {
  name: string;
  variable: tf.Variable;
  weightDecay: number;
}

/**
 * Which parameters get weight decay:
 *  - 'all': every parameter (DGC);
 *  - 'no_bias_1d': none on 1-D parameters and names ending in `.bias` (timm / PiX);
 *  - 'no_bn_name': none on names containing `bn` (NVIDIA / CHEX).
 */
export type WeightDecayFilter = 'all' | 'no_bias_1d' | 'no_bn_name';
export const WEIGHT_DECAY_FILTERS: readonly WeightDecayFilter[] = ['all', 'no_bias_1d', 'no_bn_name'];

export function decays(name: string, shape: readonly number[], filter: WeightDecayFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'no_bias_1d':
      return !(shape.length <= 1 || name.endsWith('.bias') || name === 'bias');
    case 'no_bn_name':
      return !name.includes('bn');
  }
}

/** The trainable parameters of a model with their weight decay. */
export function paramGroups(model: Module, weightDecay: number, filter: WeightDecayFilter = 'all'): ParamEntry[] {
  if (!WEIGHT_DECAY_FILTERS.includes(filter)) {
    throw new Error(`weightDecayFilter: expected one of ${WEIGHT_DECAY_FILTERS.join(', ')}, got '${String(filter)}'`);
  }
  const out: ParamEntry[] = [];
  for (const [name, p] of model.namedParameters()) {
    if (!p.requiresGrad) continue;
    out.push({ name, variable: p.variable, weightDecay: decays(name, p.shape, filter) ? weightDecay : 0 });
  }
  return out;
}

export interface OptimizerState {
  /** JSON-serialisable scalars (step counts). */
  meta: Record<string, number>;
  /** `<param name>.<slot>` → tensor in tfjs layout (owned by the optimizer; do not dispose). */
  tensors: Map<string, tf.Tensor>;
}

export abstract class Optimizer {
  /** Learning rate of the next step (set by the schedule before each step). */
  lr: number;
  protected readonly slots = new Map<string, tf.Tensor>();

  constructor(readonly params: ParamEntry[], lr: number, protected readonly slotNames: readonly string[]) {
    if (!(lr >= 0)) throw new Error(`optimizer lr: expected a number ≥ 0, got ${lr}`);
    this.lr = lr;
  }

  /** Applies one update; `grads` maps parameter names to gradients (missing = no gradient, as PyTorch's None). */
  abstract step(grads: Map<string, tf.Tensor>): void;

  protected abstract metaState(): Record<string, number>;
  protected abstract loadMeta(meta: Record<string, number>): void;

  state(): OptimizerState {
    return { meta: this.metaState(), tensors: new Map(this.slots) };
  }

  /** Restores state; the keys must be exactly this optimizer's (clear error otherwise). Tensors are copied. */
  loadState(s: OptimizerState): void {
    const expected = new Set<string>();
    const params = new Map(this.params.map((p) => [p.name, p]));
    for (const k of s.tensors.keys()) {
      const dot = k.lastIndexOf('.');
      const p = params.get(k.slice(0, dot));
      if (!p || !this.slotNames.includes(k.slice(dot + 1))) throw new Error(`optimizer state: unexpected tensor '${k}'`);
      const t = s.tensors.get(k)!;
      if (t.shape.join(',') !== p.variable.shape.join(',')) {
        throw new Error(`optimizer state: '${k}' has shape [${t.shape}] but the parameter has [${p.variable.shape}]`);
      }
      expected.add(k);
    }
    this.loadMeta(s.meta);
    for (const t of this.slots.values()) t.dispose();
    this.slots.clear();
    for (const k of expected) this.slots.set(k, s.tensors.get(k)!.clone());
  }

  protected setSlot(key: string, t: tf.Tensor): void {
    this.slots.get(key)?.dispose();
    this.slots.set(key, t);
  }

  dispose(): void {
    for (const t of this.slots.values()) t.dispose();
    this.slots.clear();
  }
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;

  constructor(params: ParamEntry[], o: SGDOptions) {
    super(params, o.lr, ['momentum_buffer']);
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.nesterov = o.nesterov ?? false;
    if (!(this.momentum >= 0)) throw new Error(`SGD momentum: expected ≥ 0, got ${this.momentum}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('SGD nesterov: requires momentum > 0 and dampening 0');
    }
  }

  step(grads: Map<string, tf.Tensor>): void {
    const lr = this.lr;
    // webgpu: the same rule for (nearly) all parameters in a few in-place dispatches; the rest below
    const fused = fusedSgdStep(this.params.map((p) => ({
      variable: p.variable, grad: grads.get(p.name), buffer: this.slots.get(`${p.name}.momentum_buffer`), weightDecay: p.weightDecay,
    })), { lr, momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov });
    this.params.forEach((p, i) => {
      const f = fused[i];
      if (f?.buffer && f.buffer !== this.slots.get(`${p.name}.momentum_buffer`)) this.slots.set(`${p.name}.momentum_buffer`, f.buffer);
    });
    for (const [i, p] of this.params.entries()) {
      if (fused[i]) continue;
      const grad = grads.get(p.name);
      if (!grad) continue;
      const key = `${p.name}.momentum_buffer`;
      const buf = this.slots.get(key);
      const [newW, newBuf] = tf.tidy((): tf.Tensor[] => {
        let g = p.weightDecay !== 0 ? tf.add(grad, tf.mul(p.variable, p.weightDecay)) : grad;
        let b: tf.Tensor | null = null;
        if (this.momentum !== 0) {
          // PyTorch: the first step sets buf = g (no dampening), later buf = μ·buf + (1 − dampening)·g.
          b = buf ? tf.add(tf.mul(buf, this.momentum), tf.mul(g, 1 - this.dampening)) : tf.clone(g);
          g = this.nesterov ? tf.add(g, tf.mul(b, this.momentum)) : b;
        }
        const w = tf.sub(p.variable, tf.mul(g, lr));
        return b ? [w, b] : [w];
      });
      p.variable.assign(newW);
      newW.dispose();
      if (newBuf) this.setSlot(key, newBuf);
    }
  }

  protected metaState(): Record<string, number> {
    return {};
  }
  protected loadMeta(): void {}
}

export interface LambOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  /** global gradient-norm clipping inside the optimizer (timm default 1.0; null = off) */
  maxGradNorm?: number | null;
  biasCorrection?: boolean;
  /** clip the trust ratio at 1 */
  trustClip?: boolean;
  /** apply the trust ratio also to groups without weight decay */
  alwaysAdapt?: boolean;
}

export class Lamb extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly maxGradNorm: number | null;
  readonly biasCorrection: boolean;
  readonly trustClip: boolean;
  readonly alwaysAdapt: boolean;
  /** number of steps taken */
  t = 0;

  constructor(params: ParamEntry[], o: LambOptions) {
    super(params, o.lr, ['exp_avg', 'exp_avg_sq']);
    [this.beta1, this.beta2] = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-6;
    this.maxGradNorm = o.maxGradNorm === undefined ? 1.0 : o.maxGradNorm;
    this.biasCorrection = o.biasCorrection ?? true;
    this.trustClip = o.trustClip ?? false;
    this.alwaysAdapt = o.alwaysAdapt ?? false;
    for (const [k, v] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(v >= 0 && v < 1)) throw new Error(`Lamb ${k}: expected a number in [0, 1), got ${v}`);
    }
  }

  step(grads: Map<string, tf.Tensor>): void {
    this.t += 1;
    const [b1, b2, lr] = [this.beta1, this.beta2, this.lr];
    const bc1 = this.biasCorrection ? 1 - b1 ** this.t : 1;
    const bc2 = this.biasCorrection ? 1 - b2 ** this.t : 1;
    const present = this.params.filter((p) => grads.has(p.name));
    const clip = tf.tidy(() => {
      if (this.maxGradNorm === null) return tf.scalar(1);
      const sq = present.map((p) => tf.sum(tf.square(grads.get(p.name)!)));
      const norm = tf.sqrt(sq.length ? tf.addN(sq) : tf.scalar(0));
      const max = tf.scalar(this.maxGradNorm);
      return tf.where(tf.greater(norm, max), tf.div(norm, max), tf.scalar(1));
    });
    for (const p of present) {
      const kM = `${p.name}.exp_avg`;
      const kV = `${p.name}.exp_avg_sq`;
      const m0 = this.slots.get(kM);
      const v0 = this.slots.get(kV);
      const [w, m, v] = tf.tidy((): tf.Tensor[] => {
        const g = tf.div(grads.get(p.name)!, clip);
        const m = tf.add(m0 ? tf.mul(m0, b1) : tf.zerosLike(g), tf.mul(g, 1 - b1));
        const v = tf.add(v0 ? tf.mul(v0, b2) : tf.zerosLike(g), tf.mul(tf.square(g), 1 - b2));
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), this.eps);
        let u = tf.div(tf.div(m, bc1), denom);
        if (p.weightDecay !== 0) u = tf.add(u, tf.mul(p.variable, p.weightDecay));
        if (p.weightDecay !== 0 || this.alwaysAdapt) {
          const wn = tf.norm(p.variable);
          const un = tf.norm(u);
          const one = tf.scalar(1);
          const zero = tf.scalar(0);
          let ratio = tf.where(tf.greater(wn, zero), tf.where(tf.greater(un, zero), tf.div(wn, un), one), one);
          if (this.trustClip) ratio = tf.minimum(ratio, one);
          u = tf.mul(u, ratio);
        }
        return [tf.sub(p.variable, tf.mul(u, lr)), m, v];
      });
      p.variable.assign(w);
      w.dispose();
      this.setSlot(kM, m);
      this.setSlot(kV, v);
    }
    clip.dispose();
  }

  protected metaState(): Record<string, number> {
    return { step: this.t };
  }
  protected loadMeta(meta: Record<string, number>): void {
    const t = meta.step;
    if (!Number.isInteger(t) || t! < 0) throw new Error(`Lamb state: step must be a non-negative integer, got ${t}`);
    this.t = t!;
  }
}
