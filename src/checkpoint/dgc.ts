// Export of a DGC model in the official training-script format (docs/methods/dgc.md §5): {'state_dict' with
// DataParallel 'module.' keys (each DGC layer's _inactive_channels included), 'epoch', 'best_prec1', 'optimizer'}.
// 'optimizer' is torch.optim.SGD's state_dict: {'state': {i: {'momentum_buffer': tensor}}, 'param_groups': [{lr,
// momentum, dampening, weight_decay, nesterov, params: [0 … n−1]}]}, parameters numbered in model.parameters() order
// (= the state dict's parameter order), buffers in PyTorch layouts.
import * as tf from '@tensorflow/tfjs-core';
import type { PyValue } from '../interop/py.js';
import type { SaveValue } from '../interop/torch_save.js';
import type { Module } from '../nn/module.js';
import { tfToTorch } from './convert.js';
import { saveModelAsTorch } from './export.js';

/** torch.optim.SGD hyper-parameters of the exported param group. */
export interface TorchSgdHyper {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

export interface DgcCheckpointMeta {
  /** 0-based epoch, as main.py stores it */
  epoch: number;
  /** best top-1 accuracy in percent (main.py's best_prec1) */
  bestPrec1: number;
  /** SGD state to store as 'optimizer': momentum buffers by parameter name (`<name>.momentum_buffer`, chanlab layout) */
  optimizer?: { hyper: TorchSgdHyper; slots: Map<string, tf.Tensor> };
}

/** torch.optim.SGD.state_dict() of `model`'s parameters from chanlab momentum buffers (missing ones are left out). */
export function torchSgdStateDict(model: Module, hyper: TorchSgdHyper, slots: Map<string, tf.Tensor>): SaveValue {
  const params = [...model.namedParameters()];
  const known = new Set(params.map(([name]) => `${name}.momentum_buffer`));
  for (const k of slots.keys()) {
    if (!known.has(k)) throw new Error(`torchSgdStateDict: slots has '${k}', which is no momentum buffer of a model parameter`);
  }
  const state = new Map<PyValue, PyValue>();
  params.forEach(([name, p], i) => {
    const buf = slots.get(`${name}.momentum_buffer`);
    if (buf === undefined) return;
    if (buf.shape.join(',') !== p.shape.join(',')) {
      throw new Error(`torchSgdStateDict: momentum buffer of '${name}' has shape [${buf.shape}], the parameter [${p.shape}]`);
    }
    const t = tf.tidy(() => p.layout.toTorch(buf));
    state.set(i, new Map<PyValue, PyValue>([['momentum_buffer', tfToTorch(t)]]));
    t.dispose();
  });
  const group = new Map<PyValue, PyValue>([
    ['lr', hyper.lr], ['momentum', hyper.momentum], ['dampening', hyper.dampening], ['weight_decay', hyper.weightDecay],
    ['nesterov', hyper.nesterov], ['params', params.map((_, i) => i)],
  ]);
  return new Map<PyValue, PyValue>([['state', state], ['param_groups', [group]]]);
}

/** Writes `model` as the official training script does: {'state_dict' ('module.' keys), 'epoch', 'best_prec1'[, 'optimizer']}. */
export function saveDgcCheckpoint(model: Module, path: string, meta: DgcCheckpointMeta): void {
  if (!Number.isInteger(meta.epoch) || meta.epoch < 0) throw new Error(`saveDgcCheckpoint: epoch must be a non-negative integer, got ${meta.epoch}`);
  if (!Number.isFinite(meta.bestPrec1)) throw new Error(`saveDgcCheckpoint: bestPrec1 must be a finite number, got ${meta.bestPrec1}`);
  const extra: Record<string, SaveValue> = { epoch: meta.epoch, best_prec1: meta.bestPrec1 };
  if (meta.optimizer) extra.optimizer = torchSgdStateDict(model, meta.optimizer.hyper, meta.optimizer.slots);
  saveModelAsTorch(model, path, { prefix: 'module.', extra });
}
