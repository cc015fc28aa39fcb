// Training hooks: what a model or a training method may implement to take part in training, and the hooks of a run —
// the configured method's (CHEX exploration: method 'chex') or, otherwise, the model's own (DGC's progress and
// auxiliary loss).
import type * as tf from '@tensorflow/tfjs-core';
import { ChexExplorer } from '../methods/chex/explorer.js';
import type { Module } from '../nn/module.js';
import type { ExtraState } from '../checkpoint/training.js';
import type { TrainConfig } from './config.js';

export interface TrainHooks {
  /** fraction of training done, in [0, 1), set before each optimiser step's forward passes (DGC) */
  setProgress?(p: number): void;
  /** extra loss computed during the last forward, added × config.auxLossWeight (DGC's lasso) */
  auxiliaryLoss?(): tf.Scalar | null;
  /** called before the first batch of every epoch (CHEX mask exploration); a returned record is logged to metrics.jsonl */
  onEpochStart?(epoch: number): Record<string, unknown> | void;
  /** called after every optimiser step (CHEX: re-apply masks) */
  afterStep?(): void;
  /** state saved in every training checkpoint (CHEX: masks, MRU store, sampler RNG); tensors stay owned by the hooks */
  extraState?(): ExtraState;
  /** restores what extraState() saved, on resume (tensors are disposed after the call: copy what you keep) */
  loadExtraState?(s: Required<ExtraState>): void;
  /** one line appended to the end-of-training summary, after the final evaluation (DGC: kept ratios, FLOPs spent) */
  finalReport?(): string | Promise<string>;
  /** frees what the hooks hold (called once at the end of training; not named dispose: models implement hooks too) */
  releaseHooks?(): void;
}

export function methodHooks(model: Module, cfg: TrainConfig): TrainHooks {
  if (cfg.chex) return new ChexExplorer(model, cfg.chex, cfg.seed);
  return model as Module & TrainHooks;
}
