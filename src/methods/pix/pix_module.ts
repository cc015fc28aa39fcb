// The PiX module (spec pix.md §3, §4): GAP → 1×1 conv C→G (G = ceil(C/ζ)) → [BN (E1)] → sigmoid | ½(1+tanh) (E0)
// → pix(x, p, ζ, τ, reduce). NHWC: x [N,H,W,C] → y [N,H,W,G].
//
// Submodule names follow the official sources so state-dict keys match:
//   layout 'official'   (PixBottleneck, repo model file): pix, conv_sqz, sigmoid_sqz, global_pool (+ bn_sqz for E1)
//   layout 'standalone' (supplement PiXLayer listing):     conv1x1, pix, global_pool, sigmoid_sqz
// The official bottleneck has no PiX wrapper: its conv_sqz sits directly in the block. `adoptInto(parent)` registers
// this module's children on the parent (keys `….blocks.i.conv_sqz.weight`) while `call` keeps working.
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d } from '../../nn/batchnorm.js';
import { Conv2d } from '../../nn/conv.js';
import { xavierUniform } from '../../nn/init.js';
import { Module } from '../../nn/module.js';
import { AdaptiveAvgPool2d } from '../../nn/pooling.js';
import { Sigmoid } from '../../nn/activation.js';
import { pix, type PixReduce } from '../../ops/pix/index.js';
import { PIX_REDUCTIONS } from '../../ops/pix/index.js';
import type { FlopsContributor, FlopsCost } from '../../flops/contributor.js';
import type { Convention } from '../../flops/conventions.js';
import { costOfOps, pixModuleCost as flopsPixModuleCost } from '../../flops/formulas.js';
import type { Shape } from '../../flops/ops.js';
import { pixModuleCost, type ModuleCost } from './cost.js';

export type PiXActivation = 'sigmoid' | 'tanh';
export type PiXLayout = 'official' | 'standalone';
/** 'xavier': Xavier-uniform gain 1, zero bias (official model). 'torch-default': PyTorch's Conv2d init (supplement layer). */
export type PiXInit = 'xavier' | 'torch-default';

export interface PiXOptions {
  inChannels: number;
  /** Subset size ζ, a positive integer; G = ceil(C/ζ). */
  zeta: number;
  /** Fusion threshold τ ∈ [0,1] (default 0.5); `p < τ` picks max, else mixes (avg), as the official kernel. */
  tau?: number;
  /** Reduction (E3): 'pick-or-mix' (default), 'max', 'avg', 'min' ⚠, 'w-pix' ⚠ (spec §4). */
  reduce?: PixReduce;
  /** E0: 'sigmoid' (default) or 'tanh' = 0.5·(1 + tanh(a)) (= sigmoid(2a)). */
  activation?: PiXActivation;
  /** E1: BatchNorm2d(G) on the logits before the activation (name `bn_sqz`, inferred). Default false. */
  bnBeforeAct?: boolean;
  /** Bias on the 1×1 conv (default false as in the model; the supplement layer has one). */
  useBias?: boolean;
  layout?: PiXLayout;
  init?: PiXInit;
  /** Require C % ζ == 0 (the ResNet builders do: the official model sizes conv_sqz with floor(C/ζ)). */
  requireDivisible?: boolean;
}

/** The stateless operator layer (official `PiX(zeta, tau)` / supplement `PiXOperatorLayer`): y = pix(x, p). */
export class PiXOperator extends Module implements FlopsContributor {
  private pending: tf.Tensor | null = null;
  constructor(readonly zeta: number, readonly tau = 0.5, readonly reduce: PixReduce = 'pick-or-mix') {
    super();
    checkZeta(zeta, 'PiXOperator');
    checkTau(tau, 'PiXOperator');
    checkReduce(reduce, 'PiXOperator');
  }

  /** y = pix(x, p) with forward hooks run on (x → y). p: [N,G] or [N,1,1,G]. */
  callWith(x: tf.Tensor, p: tf.Tensor): tf.Tensor {
    this.pending = p;
    try {
      return this.call(x);
    } finally {
      this.pending = null;
    }
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (!this.pending) throw new Error('PiXOperator: needs the sampling probabilities p; call callWith(x, p)');
    return pix(x as tf.Tensor4D, this.pending, { zeta: this.zeta, tau: this.tau, reduce: this.reduce });
  }

  /** The fusion op alone (`kind: 'pix'`), priced by the FLOP counter's convention. */
  flopsFor(inputShape: Shape, outputShape: Shape, convention: Convention): FlopsCost {
    return costOfOps([{
      name: 'pix', type: 'PiXOp', kind: 'pix', inputShape, outputShape, params: 0, zeta: this.zeta, reduce: this.reduce,
    }], convention);
  }
}

/** E0: p = 0.5·(1 + tanh(a)), computed literally (mathematically sigmoid(2a)). */
export class HalfTanh extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(0.5, tf.add(1, tf.tanh(x))));
  }
}

export class PiX extends Module implements FlopsContributor {
  readonly inChannels: number;
  readonly zeta: number;
  readonly outChannels: number;
  readonly tau: number;
  readonly reduce: PixReduce;
  readonly activation: PiXActivation;
  readonly layout: PiXLayout;
  readonly op: PiXOperator;
  /** The probability predictor (`conv_sqz` or `conv1x1`): 1×1, C→G. */
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d | null;
  readonly act: Module;
  readonly pool: AdaptiveAvgPool2d;

  constructor(o: PiXOptions) {
    super();
    const name = 'PiX';
    if (!Number.isInteger(o.inChannels) || o.inChannels <= 0) {
      throw new Error(`${name}: inChannels must be a positive integer, got ${o.inChannels}`);
    }
    this.inChannels = o.inChannels;
    this.zeta = checkZeta(o.zeta, name);
    if (o.requireDivisible && o.inChannels % o.zeta !== 0) {
      throw new Error(`${name}: inChannels (${o.inChannels}) must be divisible by zeta (${o.zeta}) here ` +
        '(the official PixBottleneck sizes conv_sqz as floor(C/ζ), spec §9 #4)');
    }
    this.outChannels = Math.ceil(o.inChannels / o.zeta);
    this.tau = checkTau(o.tau ?? 0.5, name);
    this.reduce = checkReduce(o.reduce ?? 'pick-or-mix', name);
    this.activation = o.activation ?? 'sigmoid';
    if (this.activation !== 'sigmoid' && this.activation !== 'tanh') {
      throw new Error(`${name}: activation must be 'sigmoid' or 'tanh', got ${String(this.activation)}`);
    }
    this.layout = o.layout ?? 'official';
    if (this.layout !== 'official' && this.layout !== 'standalone') {
      throw new Error(`${name}: layout must be 'official' or 'standalone', got ${String(this.layout)}`);
    }
    const init = o.init ?? 'xavier';
    if (init !== 'xavier' && init !== 'torch-default') {
      throw new Error(`${name}: init must be 'xavier' or 'torch-default', got ${String(init)}`);
    }
    const G = this.outChannels;
    const conv = new Conv2d({ inChannels: o.inChannels, outChannels: G, kernelSize: 1, bias: o.useBias ?? false });
    if (init === 'xavier') {
      conv.weight.reset(xavierUniform(conv.weight.shape));
      conv.bias?.reset(tf.zerosLike(conv.bias.variable));
    }
    const op = new PiXOperator(this.zeta, this.tau, this.reduce);
    const bn = o.bnBeforeAct ? new BatchNorm2d(G) : null;
    const act = this.activation === 'sigmoid' ? new Sigmoid() : new HalfTanh();
    const actName = this.activation === 'sigmoid' ? 'sigmoid_sqz' : 'tanh_sqz';
    const pool = new AdaptiveAvgPool2d(1);
    if (this.layout === 'official') {
      this.op = this.addModule('pix', op);
      this.conv = this.addModule('conv_sqz', conv);
      this.bn = bn ? this.addModule('bn_sqz', bn) : null;
      this.act = this.addModule(actName, act);
      this.pool = this.addModule('global_pool', pool);
    } else {
      this.conv = this.addModule('conv1x1', conv);
      this.bn = bn ? this.addModule('bn_sqz', bn) : null;
      this.op = this.addModule('pix', op);
      this.pool = this.addModule('global_pool', pool);
      this.act = this.addModule(actName, act);
    }
  }

  /** The supplement's standalone `PiXLayer`: names conv1x1/pix/global_pool/sigmoid_sqz, bias, PyTorch default init. */
  static standalone(inChannels: number, zeta: number, tau = 0.5): PiX {
    return new PiX({ inChannels, zeta, tau, layout: 'standalone', useBias: true, init: 'torch-default' });
  }

  /** Registers this module's children directly on `parent` (official PixBottleneck key layout). */
  adoptInto(parent: Module): this {
    for (const [k, m] of this.namedChildren()) parent.addModule(k, m);
    return this;
  }

  /** Sampling probabilities p: [N,1,1,G]. */
  probabilities(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let a = this.conv.call(this.pool.call(x));
      if (this.bn) a = this.bn.call(a);
      return this.act.call(a);
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
      throw new Error(`PiX: input must be NHWC [N,H,W,${this.inChannels}], got [${x.shape.join(',')}]`);
    }
    return tf.tidy(() => this.op.callWith(x, this.probabilities(x)));
  }

  /** Expected cost of one call under a FLOP-counting convention (src/flops), with a per-part breakdown. */
  flopsFor(inputShape: Shape, _outputShape: Shape, convention: Convention): FlopsCost {
    return flopsPixModuleCost({
      inputShape, zeta: this.zeta, groups: this.outChannels, bias: this.conv.bias !== null, reduce: this.reduce,
      bnOnLogits: this.bn !== null, activation: this.activation,
    }, convention);
  }

  /** Supplement-convention FLOPs (Eqs. 53–56; p-multiplication not counted), memory and params for input H×W. */
  expectedCost(inputShape: readonly number[]): ModuleCost {
    const [h, w] = spatial(inputShape, this.inChannels, 'PiX.expectedCost');
    return pixModuleCost({
      C: this.inChannels, H: h, W: w, zeta: this.zeta, reduce: this.reduce,
      bias: this.conv.bias !== null, bn: this.bn !== null,
    });
  }
}

/** [H, W] from an NHWC shape [N,H,W,C] or [H,W,C], checking C. */
export function spatial(shape: readonly number[], channels: number, owner: string): [number, number] {
  const s = shape.length === 4 ? shape.slice(1) : shape;
  if (s.length !== 3 || s[2] !== channels) {
    throw new Error(`${owner}: inputShape must be [N,H,W,${channels}] or [H,W,${channels}], got [${shape.join(',')}]`);
  }
  return [s[0]!, s[1]!];
}

export function checkZeta(zeta: number, owner: string): number {
  if (typeof zeta !== 'number' || !Number.isInteger(zeta) || zeta < 1) {
    throw new Error(`${owner}: zeta must be a positive integer (the channel subset size), got ${String(zeta)}`);
  }
  return zeta;
}

export function checkTau(tau: number, owner: string): number {
  if (typeof tau !== 'number' || !Number.isFinite(tau) || tau < 0 || tau > 1) {
    throw new Error(`${owner}: tau must be a finite number in [0, 1], got ${String(tau)}`);
  }
  return tau;
}

export function checkReduce(reduce: PixReduce, owner: string): PixReduce {
  if (!(PIX_REDUCTIONS as readonly string[]).includes(reduce)) {
    throw new Error(`${owner}: reduce must be one of ${PIX_REDUCTIONS.join(', ')}, got ${String(reduce)}`);
  }
  return reduce;
}
