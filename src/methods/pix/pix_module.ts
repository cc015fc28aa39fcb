// The PiX module (docs/methods/pix.md §3, §4): GAP → 1×1 conv C→G (G = ceil(C/ζ)) → [BN (E1)] → sigmoid | ½(1+tanh)
// (E0) → pix(x, p, ζ, τ, reduce). NHWC: x [N,H,W,C] → y [N,H,W,G].
//
// Property names are the official state-dict / module names:
//   PiXSampler (the official PixBottleneck's own submodules, and the PiX module): pix, conv_sqz, [bn_sqz],
//     sigmoid_sqz | tanh_sqz, global_pool — PiX-ResNet blocks extend PiXSampler, so their keys are
//     `….blocks.i.conv_sqz.weight` with no wrapper in between;
//   PiXLayer (the supplement's standalone listing): conv1x1 (with bias, PyTorch default init), pix, global_pool,
//     sigmoid_sqz.
// Costs: the FLOP counter reads these modules off their leaves; only the fusion op (PiXOperator) prices itself.
import * as tf from '@tensorflow/tfjs-core';
import { checkNHWC, checkOneOf, checkPositiveInt } from '../../core/check.js';
import type { FlopsContributor, FlopsCost } from '../../flops/contributor.js';
import type { Convention } from '../../flops/conventions.js';
import { costOfOps } from '../../flops/formulas.js';
import type { Shape } from '../../flops/ops.js';
import { Sigmoid } from '../../nn/activation.js';
import { BatchNorm2d } from '../../nn/batchnorm.js';
import { Conv2d } from '../../nn/conv.js';
import { xavierUniform } from '../../nn/init.js';
import { Module } from '../../nn/module.js';
import { AdaptiveAvgPool2d } from '../../nn/pooling.js';
import { hasPixGateKernel, pix, pixGate, type PixReduce } from '../../ops/pix/index.js';
import { validateReduce, validateTau, validateZeta } from '../../ops/pix/validate.js';

export type PiXActivation = 'sigmoid' | 'tanh';

export interface PiXOptions {
  inChannels: number;
  /** Subset size ζ, a positive integer; G = ceil(C/ζ). */
  zeta: number;
  /** Fusion threshold τ ∈ [0,1] (default 0.5); `p < τ` picks max, else mixes (avg), as the official kernel. */
  tau?: number;
  /** Reduction (E3): 'pick-or-mix' (default), 'max', 'avg', 'min' ⚠, 'w-pix' ⚠ (docs/methods/pix.md §4). */
  reduce?: PixReduce;
  /** E0: 'sigmoid' (default) or 'tanh' = 0.5·(1 + tanh(a)) (= sigmoid(2a)). */
  activation?: PiXActivation;
  /** E1: BatchNorm2d(G) on the logits before the activation (name `bn_sqz`, inferred). Default false. */
  bnBeforeAct?: boolean;
  /** Bias on conv_sqz (default false, as in the official model). */
  useBias?: boolean;
  /** Require C % ζ == 0 (the ResNet builders do: the official model sizes conv_sqz with floor(C/ζ)). */
  requireDivisible?: boolean;
}

/** The stateless operator layer (official `PiX(zeta, tau)` / supplement `PiXOperatorLayer`): y = pix(x, p). */
export class PiXOperator extends Module implements FlopsContributor {
  private pending: tf.Tensor | null = null;
  constructor(readonly zeta: number, readonly tau = 0.5, readonly reduce: PixReduce = 'pick-or-mix') {
    super();
    validateZeta(zeta, 'PiXOperator');
    validateTau(tau, 'PiXOperator');
    validateReduce(reduce, 'PiXOperator');
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

  /** The fusion op alone (`kind: 'pix'`; 'w-pix' is two passes), priced by the FLOP counter's convention. */
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

/**
 * p = act(bn(conv(GAP(x)))): [N,1,1,G]. Without bn, where the backend has the fused gate kernel (wasm + native) and
 * no hook watches the three modules, one pixGate op computes it (the same arithmetic, no intermediate tensors).
 */
function probabilities(x: tf.Tensor, pool: Module, conv: Conv2d, bn: Module | null, act: Module, activation: PiXActivation): tf.Tensor {
  if (bn === null && hasPixGateKernel() && !pool.hooked && !conv.hooked && !act.hooked) {
    return pixGate(x as tf.Tensor4D, conv.weight.variable as tf.Tensor4D, conv.bias?.variable ?? null, activation);
  }
  return tf.tidy(() => {
    let a = conv.call(pool.call(x));
    if (bn) a = bn.call(a);
    return act.call(a);
  });
}

/**
 * The PiX sampling path under the official names (docs/methods/pix.md §3.1, §5.5): global_pool → conv_sqz (1×1,
 * C→G, Xavier-uniform, zero bias) → [bn_sqz] → sigmoid_sqz | tanh_sqz → pix. Subclasses call `addSampler` first
 * in their constructor, which registers the submodules in the official order (pix, conv_sqz, bn_sqz, act,
 * global_pool), then use `sample(x)`.
 */
export abstract class PiXSampler extends Module {
  pix!: PiXOperator;
  conv_sqz!: Conv2d;
  bn_sqz: BatchNorm2d | null = null;
  sigmoid_sqz: Sigmoid | null = null;
  tanh_sqz: HalfTanh | null = null;
  global_pool!: AdaptiveAvgPool2d;

  protected addSampler(o: PiXOptions, owner: string): void {
    const C = checkPositiveInt(o.inChannels, 'inChannels', owner);
    const zeta = validateZeta(o.zeta, owner);
    if (o.requireDivisible && C % zeta !== 0) {
      throw new Error(`${owner}: inChannels (${C}) must be divisible by zeta (${zeta}) here ` +
        '(the official PixBottleneck sizes conv_sqz as floor(C/ζ), docs/methods/pix.md §9 #4)');
    }
    const tau = validateTau(o.tau ?? 0.5, owner);
    const reduce = validateReduce(o.reduce ?? 'pick-or-mix', owner);
    const activation = checkOneOf(o.activation ?? 'sigmoid', ['sigmoid', 'tanh'], 'activation', owner);
    const G = Math.ceil(C / zeta);
    const conv = new Conv2d({ inChannels: C, outChannels: G, kernelSize: 1, bias: o.useBias ?? false });
    conv.weight.reset(xavierUniform(conv.weight.shape));
    conv.bias?.reset(tf.zerosLike(conv.bias.variable));
    this.pix = this.addModule('pix', new PiXOperator(zeta, tau, reduce));
    this.conv_sqz = this.addModule('conv_sqz', conv);
    if (o.bnBeforeAct) this.bn_sqz = this.addModule('bn_sqz', new BatchNorm2d(G));
    if (activation === 'sigmoid') this.sigmoid_sqz = this.addModule('sigmoid_sqz', new Sigmoid());
    else this.tanh_sqz = this.addModule('tanh_sqz', new HalfTanh());
    this.global_pool = this.addModule('global_pool', new AdaptiveAvgPool2d(1));
  }

  get inChannels(): number {
    return this.conv_sqz.inChannels;
  }
  /** G = ceil(C/ζ): channels the sampler outputs. */
  get sampledChannels(): number {
    return this.conv_sqz.outChannels;
  }
  get zeta(): number {
    return this.pix.zeta;
  }
  get tau(): number {
    return this.pix.tau;
  }
  get reduce(): PixReduce {
    return this.pix.reduce;
  }
  get activation(): PiXActivation {
    return this.tanh_sqz ? 'tanh' : 'sigmoid';
  }

  /** Sampling probabilities p: [N,1,1,G]. */
  probabilities(x: tf.Tensor): tf.Tensor {
    return probabilities(x, this.global_pool, this.conv_sqz, this.bn_sqz, (this.sigmoid_sqz ?? this.tanh_sqz)!, this.activation);
  }

  /** pix(x, p(x)): [N,H,W,C] → [N,H,W,G]. */
  sample(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.pix.callWith(x, this.probabilities(x)));
  }
}

/** The PiX module of the official code: the sampler alone (no bias, Xavier init). */
export class PiX extends PiXSampler {
  constructor(o: PiXOptions) {
    super();
    this.addSampler(o, 'PiX');
  }

  get outChannels(): number {
    return this.sampledChannels;
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkNHWC(x, this.inChannels, 'PiX');
    return this.sample(x);
  }
}

/** The supplement's standalone `PiXLayer`: keys conv1x1 (with bias, PyTorch default init), pix, global_pool, sigmoid_sqz. */
export class PiXLayer extends Module {
  readonly conv1x1: Conv2d;
  readonly pix: PiXOperator;
  readonly global_pool: AdaptiveAvgPool2d;
  readonly sigmoid_sqz: Sigmoid;

  constructor(readonly inChannels: number, zeta: number, tau = 0.5) {
    super();
    checkPositiveInt(inChannels, 'inChannels', 'PiXLayer');
    validateZeta(zeta, 'PiXLayer');
    this.conv1x1 = this.addModule('conv1x1', new Conv2d({ inChannels, outChannels: Math.ceil(inChannels / zeta), kernelSize: 1, bias: true }));
    this.pix = this.addModule('pix', new PiXOperator(zeta, tau));
    this.global_pool = this.addModule('global_pool', new AdaptiveAvgPool2d(1));
    this.sigmoid_sqz = this.addModule('sigmoid_sqz', new Sigmoid());
  }

  probabilities(x: tf.Tensor): tf.Tensor {
    return probabilities(x, this.global_pool, this.conv1x1, null, this.sigmoid_sqz, 'sigmoid');
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkNHWC(x, this.inChannels, 'PiXLayer');
    return tf.tidy(() => this.pix.callWith(x, this.probabilities(x)));
  }
}
