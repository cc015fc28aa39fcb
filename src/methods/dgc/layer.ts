// The DGC layer, `DynamicMultiHeadConv` with its `HeadConv` heads (docs/methods/dgc.md §1), keys as the official code:
//   _inactive_channels [1]; norm.* [C]; headconv_{i}.conv.weight [C'/h, C, k, k]; headconv_{i}.fc1.weight [d, C];
//   headconv_{i}.fc2.{weight [C, d], bias [C]}.
// Forward (NHWC): a = relu(norm(x)) [B,H,W,C]; z = mean_HW(a) [B,C]; per head g_i = relu(fc2(relu(fc1(z)))) [B,C];
// ĝ_i = g_i with every entry ≤ its row's k-th smallest set to 0 (k = _inactive_channels); y_i = conv_i(a·ĝ_i)
// [B,Ho,Wo,C'/h]; y = heads interleaved (channel j·h + i, the official channel shuffle). Training mode also
// advances k from the progress (§2) and keeps the lasso term Σ_i mean(g_i) (§1.7) for `lasso`.
// The saliency MLPs of all heads run as one batched matMul, the gate as one topk over [h·B, C]; the h head
// convolutions and the interleave are one fused op (dgcHeads, src/ops/dgc; tfjs has no grouped conv). In eval mode
// the whole layer is one op that convolves only the kept channels (dgcEval, §8.3), on a stacked copy of the heads'
// parameters kept between forwards.
import * as tf from '@tensorflow/tfjs-core';
import { dgcHiddenWidth, dgcLayerCost, type DgcLayerSpec } from '../../flops/formulas.js';
import type { FlopsContributor, FlopsCost } from '../../flops/contributor.js';
import type { Convention } from '../../flops/conventions.js';
import type { Shape } from '../../flops/ops.js';
import { BatchNorm2d } from '../../nn/batchnorm.js';
import { checkChannelGroups, checkNHWC, checkPositiveInt, checkNonNegativeInt } from '../../core/check.js';
import { Conv2d } from '../../nn/conv.js';
import { kaimingNormal } from '../../nn/init.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { dgcEval, dgcHeads, dgcSaliency, dgcTrain, gateHeads } from '../../ops/dgc/index.js';
import { InactiveChannelsBuffer } from './inactive_buffer.js';
import { StackedHeads, stackHeads, type HeadTensors, type HeadVariables } from './stacked_heads.js';
import { checkGateFactor, inactiveChannelsAt } from './schedule.js';

export interface DynamicMultiHeadConvOptions extends DgcLayerSpec {
  inChannels: number;
}

/** One head: a full-width conv (C → C'/h) and its saliency MLP fc1 (C → d, no bias), fc2 (d → C, bias 1). */
export class HeadConv extends Module {
  readonly conv: Conv2d;
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(inChannels: number, outChannels: number, squeezeRate: number, kernelSize: number, stride: number, padding: number) {
    super();
    const d = dgcHiddenWidth(inChannels, squeezeRate);
    if (d < 1) {
      throw new Error(`DynamicMultiHeadConv: squeezeRate ${squeezeRate} leaves no hidden unit for ${inChannels} input channels (d = floor(C / s_eff) must be ≥ 1)`);
    }
    this.conv = this.addModule('conv', new Conv2d({ inChannels, outChannels, kernelSize, stride, padding, bias: false }));
    this.fc1 = this.addModule('fc1', new Linear({ inFeatures: inChannels, outFeatures: d, bias: false }));
    this.fc2 = this.addModule('fc2', new Linear({ inFeatures: d, outFeatures: inChannels, bias: true }));
    // kaiming_normal_ (fan_in, gain √2) for both weights, fc2 bias 1 (dgc.md §1.2)
    this.fc1.weight.reset(kaimingNormal(this.fc1.weight.shape, { nonlinearity: 'relu' }));
    this.fc2.weight.reset(kaimingNormal(this.fc2.weight.shape, { nonlinearity: 'relu' }));
    this.fc2.bias!.reset(tf.ones([inChannels]));
  }

  forward(): tf.Tensor {
    throw new Error('HeadConv: run the owning DynamicMultiHeadConv (heads share its BN, pooling and gate)');
  }
}

export class DynamicMultiHeadConv extends Module implements FlopsContributor {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  readonly heads: number;
  readonly squeezeRate: number;
  readonly gateFactor: number;
  readonly _inactive_channels: InactiveChannelsBuffer;
  readonly norm: BatchNorm2d;
  readonly headconvs: HeadConv[] = [];
  /**
   * how the layer runs outside the eval op (training): 'auto' the kept-channel training op (dgcTrain: mean, saliency
   * MLPs, gate and heads in one kernel, only kept channels computed, forward and backward) where the backend has it,
   * else 'masked'; 'kept' forces it; 'masked' the official form, saliencies and gate from stock ops and every head
   * convolving a·ĝ_i (the fused dgcHeads kernel); 'composite' that form from stock ops only.
   */
  headsImpl: 'auto' | 'kept' | 'masked' | 'composite' = 'auto';
  /**
   * how an eval-mode forward runs (dgcEval): the kept-channel kernel where the backend has one ('auto'), or force it
   * ('kernel') or the masked stock-op form ('composite'). Forwards under a gradient tape, with hooks on the layer's
   * BN or heads, or with a BN without running statistics take the masked form of training mode.
   */
  evalImpl: 'auto' | 'kernel' | 'composite' = 'auto';
  /** training progress in [0, 1] set by the model (TrainHooks.setProgress); null = leave the count alone */
  progress: number | null = null;
  private lastLasso: tf.Scalar | null = null;
  /** eval-mode forwards since the last training-mode one: Σ over samples and heads of kept (non-zero) gated channels */
  private keptSum: tf.Scalar | null = null;
  private keptSamples = 0;
  private outPixels = 0;
  private readonly stacked = new StackedHeads();

  constructor(o: DynamicMultiHeadConvOptions) {
    super();
    const name = 'DynamicMultiHeadConv';
    this.kernelSize = checkPositiveInt(o.kernelSize, 'kernelSize', name);
    this.stride = checkPositiveInt(o.stride ?? 1, 'stride', name);
    this.padding = checkNonNegativeInt(o.padding ?? 0, 'padding', name);
    this.squeezeRate = checkPositiveInt(o.squeezeRate ?? 16, 'squeezeRate', name);
    this.gateFactor = checkGateFactor(o.gateFactor ?? 0.25, name);
    [this.inChannels, this.outChannels, this.heads] = checkChannelGroups(o.inChannels, o.outChannels, o.heads ?? 4, 'heads', name);
    this._inactive_channels = this.addBuffer('_inactive_channels', new InactiveChannelsBuffer(this.inChannels)) as InactiveChannelsBuffer;
    this.norm = this.addModule('norm', new BatchNorm2d(this.inChannels));
    for (let i = 0; i < this.heads; i++) {
      this.headconvs.push(this.addModule(`headconv_${i}`, new HeadConv(
        this.inChannels, this.outChannels / this.heads, this.squeezeRate, this.kernelSize, this.stride, this.padding)));
    }
  }

  /** Input channels each head drops now (the `_inactive_channels` buffer). */
  get inactiveChannels(): number {
    return this._inactive_channels.count;
  }

  set inactiveChannels(n: number) {
    this._inactive_channels.count = n;
  }

  /** The lasso term Σ_heads mean(g) of the last training-mode forward (null before one, or after eval). */
  get lasso(): tf.Scalar | null {
    return this.lastLasso;
  }

  /** Pre-activation and saliencies: a = relu(norm(x)) [B,H,W,C], g [h, B, C] (≥ 0). */
  saliency(x: tf.Tensor4D, heads: HeadTensors = stackHeads(this.headVariables())): { a: tf.Tensor4D; g: tf.Tensor3D } {
    const a = tf.relu(this.norm.call(x)) as tf.Tensor4D;
    return { a, g: dgcSaliency(tf.mean(a, [1, 2]) as tf.Tensor2D, heads.w1, heads.w2, heads.b2) };
  }

  private headVariables(): HeadVariables {
    return this.headconvs.map((m) => ({ fc1: m.fc1.weight.variable, fc2: m.fc2.weight.variable, bias: m.fc2.bias!.variable, conv: m.conv.weight.variable }));
  }

  /** Gated saliencies ĝ [h, B, C]: entries ≤ each row's k-th smallest are 0 (k = inactive channels). */
  gate(g: tf.Tensor3D): tf.Tensor3D {
    return gateHeads(g, this.inactiveChannels);
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkNHWC(x, this.inChannels, 'DynamicMultiHeadConv');
    if (this.training && this.progress !== null) {
      this.inactiveChannels = inactiveChannelsAt(this.inChannels, this.gateFactor, this.progress, this.inactiveChannels);
    }
    if (this.training) this.resetKeptStats();
    return tf.tidy(() => {
      const y = this.fusedEval() ? this.evalForward(x as tf.Tensor4D) : this.maskedForward(x as tf.Tensor4D);
      this.outPixels = y.shape[1] * y.shape[2];
      return y;
    });
  }

  /** Whether this forward runs as one dgcEval op: eval mode, no gradient tape, no hooks inside, BN with running stats. */
  private fusedEval(): boolean {
    const bn = this.norm;
    return !this.training && tf.engine().state.gradientDepth === 0 && bn.runningMean !== null && bn.weight !== null &&
      !bn.hooked && !this.headconvs.some((m) => m.hooked || m.conv.hooked || m.fc1.hooked || m.fc2.hooked);
  }

  /** Eval mode: the layer as one op (the kept channels only, where the backend has the kernel). */
  private evalForward(x: tf.Tensor4D): tf.Tensor4D {
    const p = this.stacked.get(this.headVariables());
    const bn = this.norm;
    const { y, gated } = dgcEval(
      { x, mean: bn.runningMean!.variable as tf.Tensor1D, variance: bn.runningVar!.variable as tf.Tensor1D, gamma: bn.weight!.variable as tf.Tensor1D, beta: bn.bias!.variable as tf.Tensor1D, ...p },
      { heads: this.heads, stride: this.stride, padding: this.padding, inactive: this.inactiveChannels, epsilon: bn.eps, impl: this.evalImpl },
    );
    this.setLasso(null);
    if (this.progress !== null) this.trackKept(gated);
    return y;
  }

  /**
   * Training mode (and eval under a tape): BN → ReLU, then the rest of the layer as one kept-channel op where the
   * backend has it, else the official masked form (saliencies and gate from stock ops, every head convolving a·ĝ_i
   * with its full kernel; the fused dgcHeads op). (One batched matMul with per-sample weights ĝ_i ⊙ W_i for 1×1 layers
   * avoids the h scaled copies but measured 2.6× slower on wasm; see docs/methods/dgc.md §8.3.)
   */
  private maskedForward(x: tf.Tensor4D): tf.Tensor4D {
    const p = stackHeads(this.headVariables());
    const conv = { heads: this.heads, stride: this.stride, padding: this.padding };
    const impl = this.headsImpl;
    let a: tf.Tensor4D, g: tf.Tensor3D, y: tf.Tensor4D;
    if (impl === 'kept' || impl === 'auto') {
      a = tf.relu(this.norm.call(x)) as tf.Tensor4D;
      ({ y, g } = dgcTrain(a, p, { ...conv, inactive: this.inactiveChannels, impl: impl === 'kept' ? 'kernel' : 'auto' }));
    } else {
      ({ a, g } = this.saliency(x, p));
      y = dgcHeads(a, this.gate(g), p.w, { ...conv, impl: impl === 'composite' ? 'composite' : 'auto' });
    }
    this.setLasso(this.training ? tf.div(tf.sum(g), g.shape[1] * g.shape[2]) as tf.Scalar : null);
    if (!this.training && this.progress !== null) this.trackKept(this.gate(g));
    return y;
  }

  /** Accumulates the kept-channel count on the device (no sync); read by `keptStats`. */
  private trackKept(gated: tf.Tensor3D): void {
    const n = tf.sum(tf.cast(tf.greater(gated, 0), 'float32')) as tf.Scalar;
    const next = this.keptSum ? tf.add(this.keptSum, n) as tf.Scalar : n;
    this.keptSum?.dispose();
    this.keptSum = tf.keep(next);
    this.keptSamples += gated.shape[1];
  }

  private resetKeptStats(): void {
    this.keptSum?.dispose();
    this.keptSum = null;
    this.keptSamples = 0;
  }

  /**
   * What eval-mode forwards since the last training-mode forward actually kept (tracked while a training loop drives
   * the layer, i.e. `progress` is set; latency and prediction runs skip the bookkeeping): the mean fraction of input channels
   * per head and sample with a non-zero gate (ties and zero saliencies count as dropped), and the convolution
   * multiply-adds that those channels cost per image. Null before any eval-mode forward.
   */
  keptStats(): { keptFraction: number; convMacsPerImage: number; nominalConvMacsPerImage: number } | null {
    if (!this.keptSum || this.keptSamples === 0) return null;
    const perSampleHead = this.keptSum.dataSync()[0]! / (this.keptSamples * this.heads);
    const perKept = (this.outChannels / this.heads) * this.kernelSize ** 2 * this.outPixels; // one head, one channel
    return {
      keptFraction: perSampleHead / this.inChannels,
      convMacsPerImage: perSampleHead * this.heads * perKept,
      nominalConvMacsPerImage: this.gateFactor * this.inChannels * this.heads * perKept,
    };
  }

  private setLasso(t: tf.Scalar | null): void {
    this.lastLasso?.dispose();
    this.lastLasso = t ? tf.keep(t) : null;
  }

  flopsFor(inputShape: Shape, _outputShape: Shape, convention: Convention): FlopsCost {
    return dgcLayerCost({
      inputShape, outChannels: this.outChannels, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding,
      heads: this.heads, squeezeRate: this.squeezeRate, gateFactor: this.gateFactor,
    }, convention);
  }

  override dispose(): void {
    this.stacked.dispose();
    this.setLasso(null);
    this.resetKeptStats();
    super.dispose();
  }
}
