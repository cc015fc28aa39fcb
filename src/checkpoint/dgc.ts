// Export of a DGC model in the official training-script format (docs/methods/dgc.md §5): {'state_dict' with
// DataParallel 'module.' keys (each DGC layer's _inactive_channels included), 'epoch', 'best_prec1'}.
import type { Module } from '../nn/module.js';
import { saveModelAsTorch } from './export.js';

export interface DgcCheckpointMeta {
  /** 0-based epoch, as main.py stores it */
  epoch: number;
  /** best top-1 accuracy in percent (main.py's best_prec1) */
  bestPrec1: number;
}

/** Writes `model` as the official training script does: {'state_dict' ('module.' keys), 'epoch', 'best_prec1'}. */
export function saveDgcCheckpoint(model: Module, path: string, meta: DgcCheckpointMeta): void {
  if (!Number.isInteger(meta.epoch) || meta.epoch < 0) throw new Error(`saveDgcCheckpoint: epoch must be a non-negative integer, got ${meta.epoch}`);
  if (!Number.isFinite(meta.bestPrec1)) throw new Error(`saveDgcCheckpoint: bestPrec1 must be a finite number, got ${meta.bestPrec1}`);
  saveModelAsTorch(model, path, { prefix: 'module.', extra: { epoch: meta.epoch, best_prec1: meta.bestPrec1 } });
}
