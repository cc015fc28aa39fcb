// Load PyTorch checkpoints (.pth / .pth.tar: bare state dicts, training dicts of torchvision, PiX main.py, CHEX and
// DGC) into chanlab modules: find the state dict, normalise keys, convert dtypes/layouts, strict load with a readable
// diff and an architecture hint, and return the metadata stored next to the state dict.
import * as tf from '@tensorflow/tfjs-core';
import { isPlainObject, type PyValue } from '../interop/py.js';
import type { TorchTensor } from '../interop/tensor.js';
import { loadTorchFile } from '../interop/torch_load.js';
import { describeNonFinite } from '../core/finite.js';
import type { Module } from '../nn/module.js';
import { toMeta, torchToTf, type Meta } from './convert.js';
import { guessArchitecture } from './guess.js';
import { flattenStateDict, MODULE_PREFIX, STATE_DICT_KEYS, stripPrefix } from './state_dict.js';
import { checkDgcCheckpoint } from '../methods/dgc/checkpoint.js';

export type CheckpointSource = string | Uint8Array | PyValue;

/** What a checkpoint stores next to its state dict (training scripts of torchvision, PiX, CHEX, DGC). */
export interface CheckpointMetadata {
  epoch?: number;
  /** `best_prec1` (CHEX/DGC: top-1 percent; DGC's README reports error) or `best_acc1`. */
  bestPrec1?: number;
  /** CHEX compact width configuration (nested or flat int lists). */
  cfg?: Meta;
  /** Training arguments (`args`: argparse.Namespace or dict). */
  args?: Meta;
  /** CHEX: `(arch_name, model_config, num_classes, cfg)`; others: a string. */
  arch?: Meta;
  /** Every other top-level entry except state dicts and optimizer/scaler state, as JSON-like values. */
  extra: Record<string, Meta>;
}

export interface Checkpoint {
  /** The loaded object (whole file). */
  raw: PyValue;
  /** Normalised state dict: `module.` prefixes removed, insertion order kept. */
  stateDict: Map<string, TorchTensor>;
  /** Where the state dict was found ('' for a bare state dict). */
  stateDictKey: string;
  metadata: CheckpointMetadata;
}

export interface ReadOptions {
  /** Take the state dict from this top-level key (default: state_dict, model, model_ema, net, or the dict itself). */
  key?: string;
  /** Prefix removed from the keys by stripKey's rule (default 'module.', as DataParallel writes; '' keeps keys). */
  stripPrefix?: string;
}

const NON_META = new Set(['optimizer', 'scaler', 'lr_scheduler', 'scheduler', 'amp', 'optimizer_state_dict']);

function topEntries(v: PyValue): [string, PyValue][] {
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [String(k), x]);
  if (isPlainObject(v)) return Object.entries(v);
  return [];
}

function whichKey(raw: PyValue, key: string | undefined): string {
  if (key !== undefined) return key;
  const names = new Set(topEntries(raw).map(([k]) => k));
  return STATE_DICT_KEYS.find((k) => names.has(k)) ?? '';
}

/** Reads a file / bytes / loaded object and normalises its state dict; nothing is converted to tf yet. */
export function readCheckpoint(src: CheckpointSource, opts: ReadOptions = {}): Checkpoint {
  const raw = typeof src === 'string' || src instanceof Uint8Array ? loadTorchFile(src) : src;
  const flat = flattenStateDict(raw, opts.key);
  const stateDict = stripPrefix(flat, opts.stripPrefix ?? MODULE_PREFIX);
  const stateDictKey = whichKey(raw, opts.key);
  const metadata: CheckpointMetadata = { extra: {} };
  if (stateDictKey !== '') {
    for (const [k, v] of topEntries(raw)) {
      if (k === stateDictKey || (STATE_DICT_KEYS as readonly string[]).includes(k) || NON_META.has(k)) continue;
      const m = toMeta(v);
      if (k === 'epoch' && typeof m === 'number') metadata.epoch = m;
      else if ((k === 'best_prec1' || k === 'best_acc1' || k === 'best_acc') && typeof m === 'number') metadata.bestPrec1 = m;
      else if (k === 'cfg') metadata.cfg = m;
      else if (k === 'args') metadata.args = m;
      else if (k === 'arch') metadata.arch = m;
      else metadata.extra[k] = m;
    }
  }
  return { raw, stateDict, stateDictKey, metadata };
}

export interface LoadCheckpointOptions extends ReadOptions {
  /** Require exactly the model's keys (default true). Shape mismatches are always errors. */
  strict?: boolean;
  /**
   * Explicit renames, checkpoint key → model key (null drops the key). A renamed tensor may be reshaped to the model's
   * shape when only size-1 dimensions differ (e.g. torchvision `fc.weight [K,F]` → a 1×1-conv `classifier.weight
   * [K,F,1,1]`); unrenamed keys are never reshaped.
   */
  keyMap?: Record<string, string | null> | ((key: string) => string | null);
  /** load float tensors holding NaN/Inf (to inspect a diverged run); refused by default */
  allowNonFinite?: boolean;
}

export interface LoadCheckpointResult {
  metadata: CheckpointMetadata;
  stateDictKey: string;
  missingKeys: string[];
  unexpectedKeys: string[];
}

const squeezed = (s: readonly number[]): string => s.filter((d) => d !== 1).join(',');

/** Apply `keyMap` and fill `num_batches_tracked` of BNs saved before PyTorch 0.4.1; returns tensors to load. */
function mapKeys(
  sd: Map<string, TorchTensor>, targets: Map<string, number[]>, keyMap: LoadCheckpointOptions['keyMap'],
): Map<string, { t: TorchTensor | null; shape: number[] | null }> {
  const out = new Map<string, { t: TorchTensor | null; shape: number[] | null }>();
  const rename = typeof keyMap === 'function' ? keyMap
    : keyMap ? (k: string) => (Object.prototype.hasOwnProperty.call(keyMap, k) ? keyMap[k]! : k) : (k: string) => k;
  for (const [k, t] of sd) {
    const nk = rename(k);
    if (nk === null) continue;
    if (out.has(nk)) throw new Error(`loadCheckpoint: keyMap sends two checkpoint keys to '${nk}'`);
    let shape: number[] | null = null;
    const want = targets.get(nk);
    if (nk !== k && want && want.join(',') !== t.shape.join(',') && squeezed(want) === squeezed(t.shape)) shape = want;
    out.set(nk, { t, shape });
  }
  for (const k of targets.keys()) {
    if (!k.endsWith('.num_batches_tracked') || out.has(k)) continue;
    const base = k.slice(0, -'num_batches_tracked'.length);
    if (out.has(`${base}running_mean`)) out.set(k, { t: null, shape: [] });
  }
  return out;
}

/**
 * Loads a checkpoint (path, bytes or a loaded object) into `model`: the state dict is found with flattenStateDict,
 * `module.` prefixes are stripped (stripKey), tensors converted (float16/64 → float32, int64 → int32) and handed to
 * `model.loadStateDict` (which converts PyTorch → tfjs layouts). Errors list missing / unexpected / mis-shaped keys
 * and a guess of the checkpoint's architecture. Returns the metadata found next to the state dict.
 */
export function loadCheckpointIntoModel(model: Module, src: CheckpointSource, opts: LoadCheckpointOptions = {}): LoadCheckpointResult {
  const ckpt = readCheckpoint(src, opts);
  if (!opts.allowNonFinite) {
    const floats = [...ckpt.stateDict].filter(([, t]) => t.data instanceof Float32Array || t.data instanceof Float64Array)
      .map(([k, t]) => [k, t.data as Float32Array | Float64Array] as [string, Float32Array | Float64Array]);
    const bad = describeNonFinite(floats);
    if (bad.count > 0) {
      throw new Error(`checkpoint${typeof src === 'string' ? ` ${src}` : ''}: ${bad.count} non-finite values (NaN/Inf) in ${bad.keys.join(', ')}; ` +
        'expected finite weights; to load it anyway for inspection pass --allow-non-finite (allowNonFinite: true)');
    }
  }
  const targets = model.stateShapes();
  const mapped = mapKeys(ckpt.stateDict, targets, opts.keyMap);
  checkDgcCheckpoint(targets.keys(), mapped.keys());
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const [k, { t, shape }] of mapped) {
      if (t === null) {
        tensors.set(k, tf.scalar(0, 'int32'));
        continue;
      }
      const x = torchToTf(t, k);
      tensors.set(k, shape ? tf.reshape(x, shape) : x);
      if (shape) x.dispose();
    }
    const r = model.loadStateDict(tensors, { strict: opts.strict ?? true });
    return { metadata: ckpt.metadata, stateDictKey: ckpt.stateDictKey, missingKeys: r.missingKeys, unexpectedKeys: r.unexpectedKeys };
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('Error(s) in loading state dict')) {
      const shapes = new Map([...ckpt.stateDict].map(([k, t]) => [k, t.shape] as [string, number[]]));
      const guess = guessArchitecture(shapes);
      const mine = guessArchitecture(targets);
      const counts = `(${ckpt.stateDict.size} checkpoint tensors vs ${targets.size} model entries)`;
      e.message += guess !== null && guess === mine
        ? `\nhint: the checkpoint and the model are the same architecture (${guess.replace(/ checkpoint/, '')}); only the keys listed differ ${counts}`
        : `\nhint: ${guess ? `this looks like ${guess}` : 'the checkpoint matches no known architecture'}` +
          `${mine ? `; the model is ${mine.replace(/ checkpoint/, '')}` : ''} ${counts}`;
    }
    throw e;
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/** Keys → PyTorch shapes of a checkpoint's normalised state dict. */
export function checkpointShapes(ckpt: Checkpoint): Map<string, number[]> {
  return new Map([...ckpt.stateDict].map(([k, t]) => [k, t.shape] as [string, number[]]));
}
