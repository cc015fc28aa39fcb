// What a DGC network adds to training (TrainHooks of src/train/loop.ts): the progress that drives every layer's
// deactivation schedule (docs/methods/dgc.md §2) and the lasso term summed over all DGC layers (§1.7), plus the
// per-layer kept ratio for reports. `withDgcHooks` gives a model class those hooks as methods.
import * as tf from '@tensorflow/tfjs-core';
import { countFlops } from '../../flops/counter.js';
import type { Module } from '../../nn/module.js';
import { DynamicMultiHeadConv } from './layer.js';
import { inactiveChannelsAt } from './schedule.js';

export function dgcLayers(model: Module): Array<[string, DynamicMultiHeadConv]> {
  const out: Array<[string, DynamicMultiHeadConv]> = [];
  for (const [name, m] of model.namedModules()) if (m instanceof DynamicMultiHeadConv) out.push([name, m]);
  return out;
}

/** Sets training progress p ∈ [0, 1] on every DGC layer (used by the next training-mode forward). */
export function setDgcProgress(model: Module, p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`setProgress: progress must be in [0, 1], got ${p}`);
  for (const [, m] of dgcLayers(model)) m.progress = p;
}

/**
 * Sets every DGC layer to the sparsity training ends with (each head drops round(C·(1 − gf)) channels, dgc.md §2.2),
 * as a trained model or a released checkpoint has it: for timing an untrained model (a fresh one prunes nothing).
 */
export function finishDgcSchedule(model: Module): void {
  for (const [, m] of dgcLayers(model)) m.inactiveChannels = inactiveChannelsAt(m.inChannels, m.gateFactor, 1);
}

/** Σ over DGC layers of Σ_heads mean(g) from the last training-mode forward; null when there is none. */
export function dgcLasso(model: Module): tf.Scalar | null {
  const terms = dgcLayers(model).map(([, m]) => m.lasso).filter((t): t is tf.Scalar => t !== null);
  if (terms.length === 0) return null;
  return tf.addN(terms) as tf.Scalar;
}

/** Nominal kept fraction per head of each DGC layer: (C − inactive) / C. */
export function keptRatios(model: Module): Array<{ name: string; inChannels: number; inactive: number; kept: number }> {
  return dgcLayers(model).map(([name, m]) => ({
    name, inChannels: m.inChannels, inactive: m.inactiveChannels, kept: (m.inChannels - m.inactiveChannels) / m.inChannels,
  }));
}

/**
 * One line for the end of training: the kept fraction per DGC layer measured in the eval-mode forwards since the last
 * training step (per sample and head, ties and zero saliencies dropped), and the FLOPs per image in the DGC
 * convention, nominal (convolutions charged at the gate factor, dgc.md §4.1) and spent (charged at the kept
 * channels actually measured).
 */
export async function dgcReport(model: Module, inputShape: number[]): Promise<string> {
  const stats = dgcLayers(model).map(([, m]) => m.keptStats());
  const nominal = (await countFlops(model, { inputShape: [1, ...inputShape.slice(1)], convention: 'dgc' })).totals.macs;
  let spent = nominal;
  for (const s of stats) if (s) spent += s.convMacsPerImage - s.nominalConvMacsPerImage;
  const kept = stats.map((s) => (s ? s.keptFraction.toFixed(2) : '-')).join(' ');
  const mega = (v: number) => `${(v / 1e6).toFixed(3)} M`;
  return `DGC kept fraction per layer [${kept}]; FLOPs/image ${mega(spent)} spent (measured kept channels), ${mega(nominal)} nominal (dgc convention)`;
}

/** The training hooks of a DGC network (TrainHooks of src/train/hooks.ts, found structurally on the model). */
export interface DgcHooks {
  /** shape of the last forward's input (set by the model's forward); null before the first */
  inputShape: number[] | null;
  setProgress(p: number): void;
  finishSchedule(): void;
  auxiliaryLoss(): tf.Scalar | null;
  finalReport(): Promise<string>;
}

// TypeScript's mixin form: a mixin's base constructor type must take `...args: any[]` (TS2545); no value is typed any.
type Ctor<T> = abstract new (...args: any[]) => T;

/**
 * `Base` with the DgcHooks as methods over all its DGC layers. The model's forward() records its input's shape in
 * `inputShape` (finalReport counts the FLOPs per image at that size). The return type is spelled out because
 * declarations cannot name a class expression with protected members (Module's).
 */
export function withDgcHooks<B extends Ctor<Module>>(Base: B): B & Ctor<DgcHooks> {
  abstract class DgcNet extends Base implements DgcHooks {
    inputShape: number[] | null = null;

    setProgress(p: number): void {
      setDgcProgress(this, p);
    }

    /** Every DGC layer at the sparsity training ends with (latency of an untrained model; dgc.md §2.2). */
    finishSchedule(): void {
      finishDgcSchedule(this);
    }

    auxiliaryLoss(): tf.Scalar | null {
      return dgcLasso(this);
    }

    /** Kept fraction per layer and FLOPs per image of the eval-mode forwards since the last training step. */
    finalReport(): Promise<string> {
      if (!this.inputShape) throw new Error(`${this.typeName}.finalReport: run a forward pass first`);
      return dgcReport(this, this.inputShape);
    }
  }
  return DgcNet;
}
