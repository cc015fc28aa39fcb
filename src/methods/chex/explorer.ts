// CHEX channel exploration as training hooks (docs/methods/chex.md §2–§5), the official CLS order:
//   epoch 0 start:   initial uniform mask keeping floor(C·(1 − (S − δ0))) channels by filter L1; MRU snapshot = the
//                    unmasked model; apply masks.
//   exploration epoch e (1 ≤ e ≤ T_max, e mod ΔT = 0), at its start:
//                    δ = δ0·½(1 + cos(πe/T_max)); pruned counts from the global |γ| threshold at S and at S − δ;
//                    per layer in module order: CSS keep set (leverage on the masked filters, L1 if D < C) →
//                    restore the layer's zero filters, BN entries and pending input columns from the MRU snapshot →
//                    regrow R channels sampled by softmax of the distance to the kept span → new mask;
//                    snapshot = the restored, unmasked model; apply masks.
//   after every optimiser step: apply masks.
// State for exact resume: masks, MRU snapshot, sampler RNG (extraState / loadExtraState).
import { Rng, type RngState } from '../../core/rng.js';
import type { Module } from '../../nn/module.js';
import type { Buffer, Parameter } from '../../nn/parameter.js';
import * as tf from '@tensorflow/tfjs-core';
import { bnPrunedCounts, bnThreshold } from './allocation.js';
import { channelScores, l1Scores, topK } from './css.js';
import { MaskSet, maskFrom } from './masks.js';
import { validateChexOptions, type ChexOptions } from './options.js';
import { spanDistances, softmaxSampleWithoutReplacement } from './regrow.js';
import { prunableLayers, type PrunableLayer } from './roles.js';
import { initialKeep, isExplorationEpoch, regrowFactor } from './schedule.js';
import { copyBn, copyHost, copyInputs, copyOutputs, filterMatrix, readHost, trackedVariables, zeroOutputs, type HostTensors } from './weights.js';

export type ChexStepRecord = {
  type: 'chex';
  kind: 'init' | 'explore';
  epoch: number;
  /** regrow factor δ_e (init: δ0) */
  delta: number;
  /** |γ| threshold at S (explore only) */
  threshold?: number;
  /** active channels per prunable layer after the step */
  channels: Record<string, number>;
  active: number;
  prunable: number;
};

type Resolved = ReturnType<typeof validateChexOptions>;

/** Method state for the training checkpoint (structurally the training loop's ExtraState). */
export interface ChexState {
  json?: Record<string, unknown>;
  tensors?: Map<string, tf.Tensor>;
}

/** Implements the training loop's hooks (onEpochStart, afterStep, extraState, loadExtraState, releaseHooks). */
export class ChexExplorer {
  readonly layers: PrunableLayer[];
  readonly options: Resolved;
  private readonly vars: Map<string, Parameter | Buffer>;
  private masks: MaskSet | null = null;
  private snapshot: HostTensors | null = null;
  private readonly rng: Rng;
  private stateTensors: Map<string, tf.Tensor> | null = null;

  constructor(model: Module, options: ChexOptions, seed = 0) {
    this.options = validateChexOptions(options);
    this.layers = prunableLayers(model, this.options.includeSkip);
    this.vars = trackedVariables(this.layers);
    this.rng = new Rng(this.options.seed ?? seed);
  }

  get initialised(): boolean {
    return this.masks !== null;
  }

  get maskValues(): readonly Uint8Array[] {
    if (!this.masks) throw new Error('chex: masks are not initialised yet');
    return this.masks.values;
  }

  onEpochStart(epoch: number): ChexStepRecord | void {
    if (!this.masks) return this.initialMask(epoch);
    const o = this.options;
    if (isExplorationEpoch(epoch, o.deltaT, o.tMax)) return this.explore(epoch);
  }

  afterStep(): void {
    this.masks?.apply();
  }

  /** Initial uniform mask by filter L1 (§2.7). */
  initialMask(epoch = 0): ChexStepRecord {
    const o = this.options;
    const host = readHost(this.vars);
    const masks = this.layers.map((l) => {
      const keep = Math.max(initialKeep(l.channels, o.channelSparsity, o.initChannelRatio), Math.min(o.minChannels, l.channels));
      return maskFrom(l.channels, topK(l1Scores(filterMatrix(host.get(`${l.name}.weight`)!, l.conv)), keep));
    });
    this.snapshot = host;
    this.setMasks(masks);
    return this.record('init', epoch, o.initChannelRatio);
  }

  /** One exploration step (§5.2). */
  explore(epoch: number): ChexStepRecord {
    if (!this.masks || !this.snapshot) throw new Error('chex: explore() before the initial mask');
    const o = this.options;
    const delta = regrowFactor(epoch, o.initChannelRatio, o.tMax);
    const cur = readHost(this.vars);
    const snap = this.snapshot;
    const gammas = this.layers.map((l) => cur.get(`${l.bnName}.weight`)!);
    const down = bnPrunedCounts(gammas, o.channelSparsity);
    const up = bnPrunedCounts(gammas, Math.max(o.channelSparsity - delta, 0));
    const threshold = bnThreshold(gammas, o.channelSparsity);
    const pendingCols = new Map<string, number[]>();
    const masks = this.layers.map((l, i) => {
      const wKey = `${l.name}.weight`;
      const w = cur.get(wKey)!;
      const C = l.channels;
      const K = Math.min(C, Math.max(C - down[i]!, Math.min(o.minChannels, C)));
      // 1. keep set by CSS on the current, masked filters
      const { scores } = channelScores(filterMatrix(w, l.conv), K, o.leverage);
      const kept = topK(scores, K);
      // 2. MRU restoration of this layer's pruned filters, BN entries and input columns pruned upstream
      const zeros = zeroOutputs(w, l.conv);
      copyOutputs(w, snap.get(wKey)!, l.conv, zeros);
      copyBn(cur, snap, l.bnName, zeros);
      const cols = pendingCols.get(l.name);
      if (cols) copyInputs(w, snap.get(wKey)!, l.conv, cols);
      // 3. regrow on the restored filters
      const inKept = new Uint8Array(C);
      for (const j of kept) inKept[j] = 1;
      const candidates: number[] = [];
      for (let j = 0; j < C; j++) if (!inKept[j]) candidates.push(j);
      const R = o.regrowCount === 'bn-threshold' ? Math.max(C - up[i]! - K, 0) : Math.ceil(delta * C);
      let grown: number[] = [];
      if (R > 0 && candidates.length > 0) {
        const eps = spanDistances(filterMatrix(w, l.conv), kept, candidates, o.epsilon);
        grown = softmaxSampleWithoutReplacement(candidates, eps, R, this.rng);
      }
      // 4. the consumer's input columns of this layer's pruned channels: restored now (OUT conv) or when the
      //    consumer is itself processed (IN2), after its own CSS
      if (l.consumer) {
        if (this.layers.some((m) => m.name === l.consumerName)) pendingCols.set(l.consumerName!, zeros);
        else copyInputs(cur.get(`${l.consumerName}.weight`)!, snap.get(`${l.consumerName}.weight`)!, l.consumer, zeros);
      }
      return maskFrom(C, [...kept, ...grown]);
    });
    for (const [k, v] of this.vars) {
      const t = tf.tensor(cur.get(k)!, v.shape);
      v.variable.assign(t);
      t.dispose();
    }
    this.snapshot = copyHost(cur);
    this.setMasks(masks);
    return { ...this.record('explore', epoch, delta), threshold };
  }

  private setMasks(masks: Uint8Array[]): void {
    this.dropStateTensors();
    if (this.masks) this.masks.set(masks);
    else this.masks = new MaskSet(this.layers, masks);
    this.masks.apply();
  }

  private record(kind: ChexStepRecord['kind'], epoch: number, delta: number): ChexStepRecord {
    const counts = this.masks!.counts();
    const channels: Record<string, number> = {};
    this.layers.forEach((l, i) => (channels[l.name] = counts[i]!));
    return {
      type: 'chex', kind, epoch, delta, channels, active: counts.reduce((a, b) => a + b, 0),
      prunable: this.layers.reduce((a, l) => a + l.channels, 0),
    };
  }

  /**
   * Masks (int32 0/1 per layer), the MRU snapshot and the sampler state, for the training checkpoint. The tensors are
   * owned by the explorer: built once per mask change and disposed on the next change or by releaseHooks().
   */
  extraState(): ChexState {
    if (!this.stateTensors && this.masks && this.snapshot) {
      const t = new Map<string, tf.Tensor>();
      this.layers.forEach((l, i) => t.set(`chex.mask.${l.name}`, tf.tensor1d(Int32Array.from(this.masks!.values[i]!), 'int32')));
      for (const [k, v] of this.snapshot) t.set(`chex.snapshot.${k}`, tf.tensor(v, this.vars.get(k)!.shape));
      this.stateTensors = t;
    }
    return { json: { chex: { rng: this.rng.getState(), initialised: this.initialised } }, tensors: this.stateTensors ?? new Map() };
  }

  loadExtraState(s: Required<ChexState>): void {
    const meta = s.json.chex as { rng: RngState; initialised: boolean } | undefined;
    if (!meta) throw new Error('chex: the checkpoint holds no exploration state (was it written by a run without --grow-prune?)');
    this.rng.setState(meta.rng);
    if (!meta.initialised) return;
    const masks = this.layers.map((l) => {
      const t = s.tensors.get(`chex.mask.${l.name}`);
      if (!t || t.size !== l.channels) throw new Error(`chex: checkpoint mask of ${l.name} is missing or has the wrong length`);
      return Uint8Array.from(t.dataSync());
    });
    const snap: HostTensors = new Map();
    for (const [k, v] of this.vars) {
      const t = s.tensors.get(`chex.snapshot.${k}`);
      if (!t || t.size !== v.variable.size) throw new Error(`chex: checkpoint snapshot of ${k} is missing or has the wrong size`);
      snap.set(k, Float32Array.from(t.dataSync() as Float32Array));
    }
    this.snapshot = snap;
    this.setMasks(masks);
  }

  releaseHooks(): void {
    this.masks?.dispose();
    this.masks = null;
    this.dropStateTensors();
  }

  private dropStateTensors(): void {
    if (this.stateTensors) tf.dispose([...this.stateTensors.values()]);
    this.stateTensors = null;
  }

  dispose(): void {
    this.releaseHooks();
  }
}
