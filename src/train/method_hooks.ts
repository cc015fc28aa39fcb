// The TrainHooks of a run: a training method configured in the config (CHEX exploration: `chex`) or, otherwise, the
// hooks the model itself implements (DGC's progress and auxiliary loss).
import { ChexExplorer } from '../methods/chex/explorer.js';
import type { Module } from '../nn/module.js';
import type { TrainConfig } from './config.js';
import type { TrainHooks } from './loop.js';

export function methodHooks(model: Module, cfg: TrainConfig): TrainHooks {
  if (cfg.chex) return new ChexExplorer(model, cfg.chex, cfg.seed);
  return model as Module & TrainHooks;
}
