// Export a chanlab model as a PyTorch checkpoint: the state dict in PyTorch layouts (float32, int buffers as int64),
// written with saveTorchFile (zip format; torch.load + load_state_dict work in PyTorch ≥ 1.6).
import * as tf from '@tensorflow/tfjs-core';
import { OrderedDict, type PyValue } from '../interop/py.js';
import { saveTorchFile, type SaveValue } from '../interop/torch_save.js';
import type { Module } from '../nn/module.js';
import { tfToTorch } from './convert.js';

export interface SaveModelOptions {
  /** Extra top-level entries (epoch, best_prec1, cfg, args…); when given, the state dict goes under `stateDictKey`. */
  extra?: Record<string, SaveValue>;
  /** Key of the state dict when `extra` is given (default 'state_dict'). */
  stateDictKey?: string;
  /** Prefix added to every key (e.g. 'module.' to mimic DataParallel checkpoints); default none. */
  prefix?: string;
}

/** The model's state dict as an OrderedDict of TorchTensors (PyTorch layouts and dtypes). */
export function modelStateAsTorch(model: Module, prefix = ''): OrderedDict {
  const sd = model.stateDict();
  try {
    const od = new OrderedDict();
    for (const [k, t] of sd) od.set(prefix + k, tfToTorch(t));
    return od;
  } finally {
    tf.dispose([...sd.values()]);
  }
}

/** Writes `model`'s state dict (bare, or `{[stateDictKey]: sd, ...extra}`) to `path` atomically. */
export function saveModelAsTorch(model: Module, path: string, opts: SaveModelOptions = {}): void {
  const od = modelStateAsTorch(model, opts.prefix ?? '');
  if (!opts.extra) {
    saveTorchFile(path, od);
    return;
  }
  const key = opts.stateDictKey ?? 'state_dict';
  if (Object.prototype.hasOwnProperty.call(opts.extra, key)) {
    throw new Error(`saveModelAsTorch: extra must not contain the state-dict key '${key}'`);
  }
  const top: { [k: string]: SaveValue } = { [key]: od as PyValue, ...opts.extra };
  saveTorchFile(path, top);
}
