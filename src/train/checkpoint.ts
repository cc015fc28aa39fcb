// Training checkpoints in a safetensors file, written atomically:
//   model.<key>                 model state dict (PyTorch keys and layouts; parameters + persistent buffers)
//   ema.<key>                   EMA model state dict (if any)
//   optim.<param>.<slot>        optimiser slots (tfjs layout)
//   extra.<name>                method state tensors (TrainHooks.extraState: CHEX masks and MRU store)
//   __metadata__.chanlab        JSON TrainState (step, loader position, RNG state, schedule position, …)
// A file holding only plain state-dict keys (no `model.` prefix) is accepted as weights.
import * as tf from '@tensorflow/tfjs-core';
import type { LoaderState } from '../data/loader.js';
import type { RngState } from '../core/rng.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from './optim.js';
import { readSafetensors, writeSafetensors, type StFile, type StTensor } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'chanlab-checkpoint-v1';

export interface TrainState {
  model: string;
  modelConfig: Record<string, unknown>;
  /** optimiser steps done (= schedule position) */
  step: number;
  /** data-loader position of the next micro-batch */
  loader: LoaderState;
  /** state of the global init/dropout generator */
  rng: RngState;
  optimizer: Record<string, number>;
  emaUpdates: number;
  /** running sums of the current epoch (train loss over samples) */
  epochLossSum: number;
  epochSamples: number;
  bestTop1: number | null;
  finished: boolean;
  /** method state metadata (TrainHooks.extraState().meta); its tensors are stored under `extra.` */
  extra?: Record<string, unknown>;
}

function toSt(t: tf.Tensor): StTensor {
  if (t.dtype === 'float32') return { dtype: 'F32', shape: t.shape, data: t.dataSync() as Float32Array };
  if (t.dtype === 'int32') return { dtype: 'I32', shape: t.shape, data: t.dataSync() as Int32Array };
  throw new Error(`checkpoint: cannot store a ${t.dtype} tensor`);
}

function addStateDict(out: Map<string, StTensor>, prefix: string, m: Module): void {
  const sd = m.stateDict();
  for (const [k, t] of sd) out.set(`${prefix}${k}`, toSt(t));
  tf.dispose([...sd.values()]);
}

/** Method state in a training checkpoint (TrainHooks.extraState): JSON metadata and named host tensors. */
export interface ExtraState {
  meta: Record<string, unknown>;
  tensors: Map<string, { shape: number[]; data: Float32Array | Int32Array }>;
}

export interface CheckpointParts {
  model: Module;
  ema?: Module | null;
  optimizer?: Optimizer | null;
  state: TrainState;
  /** method state (CHEX masks, MRU store, RNG) */
  extra?: ExtraState;
}

export function saveTrainCheckpoint(path: string, p: CheckpointParts): void {
  const tensors = new Map<string, StTensor>();
  addStateDict(tensors, 'model.', p.model);
  if (p.ema) addStateDict(tensors, 'ema.', p.ema);
  if (p.optimizer) for (const [k, t] of p.optimizer.state().tensors) tensors.set(`optim.${k}`, toSt(t));
  for (const [k, t] of p.extra?.tensors ?? []) tensors.set(`extra.${k}`, { dtype: t.data instanceof Int32Array ? 'I32' : 'F32', shape: t.shape, data: t.data });
  const state = p.extra ? { ...p.state, extra: p.extra.meta } : p.state;
  writeSafetensors(path, tensors, { format: CHECKPOINT_FORMAT, chanlab: JSON.stringify(state) });
}

export interface LoadedCheckpoint {
  path: string;
  file: StFile;
  /** null for a plain weights file */
  state: TrainState | null;
}

export function readTrainCheckpoint(path: string): LoadedCheckpoint {
  const file = readSafetensors(path);
  let state: TrainState | null = null;
  if (file.metadata.chanlab !== undefined) {
    try {
      state = JSON.parse(file.metadata.chanlab) as TrainState;
    } catch {
      throw new Error(`checkpoint ${path}: corrupt training state in the metadata`);
    }
  }
  return { path, file, state };
}

function subset(file: StFile, prefix: string): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [k, t] of file.tensors) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), tf.tensor(t.data, t.shape, t.dtype === 'F32' ? 'float32' : 'int32'));
  return out;
}

/** Tensors stored under `model.` / `ema.` (or, for a plain weights file, all of them). The caller disposes them. */
export function checkpointStateDict(ck: LoadedCheckpoint, which: 'model' | 'ema' = 'model'): Map<string, tf.Tensor> {
  const prefixed = [...ck.file.tensors.keys()].some((k) => k.startsWith('model.'));
  if (!prefixed) {
    if (which === 'ema') throw new Error(`checkpoint ${ck.path}: holds plain weights, no EMA`);
    return subset(ck.file, '');
  }
  const sd = subset(ck.file, `${which}.`);
  if (sd.size === 0) throw new Error(`checkpoint ${ck.path}: has no ${which === 'ema' ? 'EMA' : 'model'} weights`);
  return sd;
}

/** Loads weights into `model` (strict); a checkpoint of another model gives an error naming both and the keys. */
export function loadCheckpointWeights(model: Module, ck: LoadedCheckpoint, which: 'model' | 'ema', modelName: string): void {
  const sd = checkpointStateDict(ck, which);
  try {
    model.loadStateDict(sd);
  } catch (e) {
    const from = ck.state ? `model '${ck.state.model}'` : 'an unknown model';
    throw new Error(`checkpoint ${ck.path} (written for ${from}) does not fit model '${modelName}':\n${(e as Error).message}`);
  } finally {
    tf.dispose([...sd.values()]);
  }
}

/** The method state saved with a training checkpoint (empty when there is none). */
export function readExtraState(ck: LoadedCheckpoint): ExtraState {
  const tensors: ExtraState['tensors'] = new Map();
  for (const [k, t] of ck.file.tensors) if (k.startsWith('extra.')) tensors.set(k.slice(6), { shape: t.shape, data: t.data });
  return { meta: ck.state?.extra ?? {}, tensors };
}

export function loadOptimizer(opt: Optimizer, ck: LoadedCheckpoint): void {
  const tensors = subset(ck.file, 'optim.');
  try {
    opt.loadState({ meta: ck.state?.optimizer ?? {}, tensors });
  } catch (e) {
    throw new Error(`checkpoint ${ck.path}: ${(e as Error).message}`);
  } finally {
    tf.dispose([...tensors.values()]);
  }
}
