// Training checkpoints in a safetensors file, written atomically:
//   model.<key>                 model state dict (PyTorch keys and layouts; parameters + persistent buffers)
//   ema.<key>                   EMA model state dict (if any)
//   optim.<param>.<slot>        optimiser slots (tfjs layout)
//   extra.<name>                tensors of ExtraState (training hooks: CHEX exploration, …), only when given
//   __metadata__.chanlab        JSON TrainState (step, loader position, RNG state, schedule position, …)
// A file holding only plain state-dict keys (no `model.` prefix) is accepted as weights.
import * as tf from '@tensorflow/tfjs-core';
import type { RngState } from '../core/rng.js';
import { describeNonFinite } from '../core/finite.js';
import type { Module } from '../nn/module.js';
import { readSafetensors, writeSafetensors, type StFile, type StTensor } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'chanlab-checkpoint-v1';

/** Where the data loader stands (the data loader's LoaderState; kept structural: checkpoints sit below data). */
export interface LoaderPosition {
  /** epoch of the next batch to deliver */
  epoch: number;
  /** index within that epoch of the next batch to deliver */
  position: number;
}

export interface TrainState {
  model: string;
  modelConfig: Record<string, unknown>;
  /** optimiser steps done (= schedule position) */
  step: number;
  /** data-loader position of the next micro-batch */
  loader: LoaderPosition;
  /** state of the global init/dropout generator */
  rng: RngState;
  optimizer: Record<string, number>;
  emaUpdates: number;
  /** running sums of the current epoch (train loss over samples) */
  epochLossSum: number;
  epochSamples: number;
  bestTop1: number | null;
  finished: boolean;
  /** JSON part of ExtraState (absent when no hook keeps state) */
  extra?: Record<string, unknown>;
}

/** What an optimiser hands to a checkpoint: JSON scalars and named slot tensors (tfjs layout). */
export interface OptimizerSnapshot {
  meta: Record<string, number>;
  tensors: Map<string, tf.Tensor>;
}

/** Anything whose state a training checkpoint can hold (chanlab's SGD and LAMB). */
export interface CheckpointableOptimizer {
  state(): OptimizerSnapshot;
  loadState(s: OptimizerSnapshot): void;
}

/**
 * State a training hook keeps across resume (e.g. CHEX's exploration masks and counters): JSON-serialisable values
 * and float32/int32 tensors. Saved as `extra.<name>` tensors and TrainState.extra.
 */
export interface ExtraState {
  json?: Record<string, unknown>;
  tensors?: Map<string, tf.Tensor>;
}

// Reads are asynchronous: a webgpu backend cannot be read synchronously in Node (tfjs's webgpu dataSync needs a
// browser's OffscreenCanvas).
async function toSt(t: tf.Tensor): Promise<StTensor> {
  if (t.dtype === 'float32') return { dtype: 'F32', shape: t.shape, data: (await t.data()) as Float32Array };
  if (t.dtype === 'int32') return { dtype: 'I32', shape: t.shape, data: (await t.data()) as Int32Array };
  throw new Error(`checkpoint: cannot store a ${t.dtype} tensor`);
}

async function addStateDict(out: Map<string, StTensor>, prefix: string, m: Module): Promise<void> {
  const sd = m.stateDict();
  try {
    for (const [k, t] of sd) out.set(`${prefix}${k}`, await toSt(t));
  } finally {
    tf.dispose([...sd.values()]);
  }
}

export interface CheckpointParts {
  model: Module;
  ema?: Module | null;
  optimizer?: CheckpointableOptimizer | null;
  state: TrainState;
  extra?: ExtraState | null;
}

export async function saveTrainCheckpoint(path: string, p: CheckpointParts): Promise<void> {
  const tensors = new Map<string, StTensor>();
  await addStateDict(tensors, 'model.', p.model);
  if (p.ema) await addStateDict(tensors, 'ema.', p.ema);
  if (p.optimizer) for (const [k, t] of p.optimizer.state().tensors) tensors.set(`optim.${k}`, await toSt(t));
  for (const [k, t] of p.extra?.tensors ?? []) tensors.set(`extra.${k}`, await toSt(t));
  const state: TrainState = p.extra?.json ? { ...p.state, extra: p.extra.json } : p.state;
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

/** Refuses a checkpoint whose `which` weights hold NaN/Inf (a diverged run) unless `allow` is set. */
export function checkFiniteWeights(ck: LoadedCheckpoint, which: 'model' | 'ema', allow = false): void {
  if (allow) return;
  const prefixed = [...ck.file.tensors.keys()].some((k) => k.startsWith('model.'));
  const prefix = prefixed ? `${which}.` : '';
  const floats = [...ck.file.tensors].filter(([k, t]) => k.startsWith(prefix) && t.dtype === 'F32').map(([k, t]) => [k, t.data] as [string, Float32Array]);
  const bad = describeNonFinite(floats);
  if (bad.count > 0) {
    throw new Error(`checkpoint ${ck.path}: the ${which === 'ema' ? 'EMA ' : ''}weights hold ${bad.count} non-finite values (NaN/Inf) in ` +
      `${bad.keys.join(', ')}; it was written by a diverged run. Expected finite weights; to load it anyway for inspection pass ` +
      `--allow-non-finite (allowNonFinite: true)`);
  }
}

export interface LoadWeightsOptions {
  /** load weights holding NaN/Inf (to inspect a diverged run); refused by default */
  allowNonFinite?: boolean;
}

/**
 * Loads weights into `model` (strict); a checkpoint of another model gives an error naming both and the keys, one
 * with NaN/Inf weights is refused unless `allowNonFinite`.
 */
export function loadCheckpointWeights(model: Module, ck: LoadedCheckpoint, which: 'model' | 'ema', modelName: string, opts: LoadWeightsOptions = {}): void {
  checkFiniteWeights(ck, which, opts.allowNonFinite);
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

export function loadOptimizer(opt: CheckpointableOptimizer, ck: LoadedCheckpoint): void {
  const tensors = subset(ck.file, 'optim.');
  try {
    opt.loadState({ meta: ck.state?.optimizer ?? {}, tensors });
  } catch (e) {
    throw new Error(`checkpoint ${ck.path}: ${(e as Error).message}`);
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/** The ExtraState stored in a training checkpoint (empty when none); the caller disposes the tensors. */
export function readExtraState(ck: LoadedCheckpoint): Required<ExtraState> {
  return { json: ck.state?.extra ?? {}, tensors: subset(ck.file, 'extra.') };
}
