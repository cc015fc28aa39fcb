// CLI-facing functions (wired by src/cli): `inspect` prints a checkpoint summary; `predict` runs a model with a
// checkpoint on an NCHW .npy batch and writes the logits as .npy.
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../backend/index.js';
import { describeCheckpoint } from '../interop/checkpoint.js';
import { readNpy, writeNpy } from '../interop/npy.js';
import { TorchTensor } from '../interop/tensor.js';
import { loadTorchFile } from '../interop/torch-load.js';
import { createModel, getModelEntry, type ModelConfig } from '../zoo/index.js';
import type { Module } from '../nn/module.js';
import { loadChexCheckpoint } from './chex.js';
import { guessArchitecture } from './guess.js';
import { checkpointShapes, loadCheckpointIntoModel, readCheckpoint } from './load.js';

/** A printable summary of a .pth/.pth.tar file: keys, metadata, tensors, a guessed architecture, masked channels. */
export function inspectCommand(file: string, opts: { maxTensors?: number } = {}): string {
  const raw = loadTorchFile(file);
  const lines = [`file: ${file}`, describeCheckpoint(raw, { maxTensors: opts.maxTensors ?? 50 })];
  let ckpt;
  try {
    ckpt = readCheckpoint(raw);
  } catch (e) {
    lines.push(`no state dict: ${(e as Error).message}`);
    return lines.join('\n');
  }
  const guess = guessArchitecture(checkpointShapes(ckpt));
  lines.push(`architecture: ${guess ?? 'unknown (no registered family matches the keys)'}`);
  let rows = 0;
  let zero = 0;
  for (const [k, t] of ckpt.stateDict) {
    if (!k.endsWith('.weight') || t.shape.length !== 4 || !(t.data instanceof Float32Array)) continue;
    const per = t.numel / t.shape[0]!;
    for (let r = 0; r < t.shape[0]!; r++) {
      rows++;
      let allZero = true;
      for (let i = r * per; i < (r + 1) * per; i++) if (t.data[i] !== 0) { allZero = false; break; }
      if (allZero) zero++;
    }
  }
  if (zero > 0) lines.push(`zero conv filters: ${zero} of ${rows} output channels (a masked / pruned checkpoint)`);
  return lines.join('\n');
}

export interface PredictOptions {
  /** Registry name (`chanlab models`); `chex_resnet*` builds the CHEX ResNet from the checkpoint's shapes. */
  model: string;
  checkpoint: string;
  /** .npy input, NCHW (float32/float64/float16). */
  input: string;
  /** .npy output, [N, numClasses] float32 logits. */
  output: string;
  backend?: string;
  batchSize?: number;
  /** Config overrides for createModel; numClasses/inChannels default to the checkpoint's. */
  config?: Partial<ModelConfig>;
  /** Top-level key of the state dict in the checkpoint. */
  key?: string;
}

/** Infers numClasses (rows of the last 2-D/4-D weight) and inChannels (columns of the first 4-D weight). */
function inferredConfig(shapes: Map<string, number[]>): Partial<ModelConfig> {
  const weights = [...shapes].filter(([k, s]) => k.endsWith('.weight') && (s.length === 4 || s.length === 2));
  const out: Partial<ModelConfig> = {};
  const first = weights.find(([, s]) => s.length === 4);
  if (first) out.inChannels = first[1][1]!;
  const last = weights[weights.length - 1];
  if (last) out.numClasses = last[1][0]!;
  return out;
}

function buildModel(opts: PredictOptions): Module {
  if (opts.model.startsWith('chex_resnet')) {
    return loadChexCheckpoint(opts.checkpoint, { arch: opts.model, key: opts.key }).model;
  }
  const entry = getModelEntry(opts.model);
  const ckpt = readCheckpoint(loadTorchFile(opts.checkpoint), { key: opts.key });
  const cfg: Partial<ModelConfig> = {};
  for (const [k, v] of Object.entries(inferredConfig(checkpointShapes(ckpt)))) {
    if (k in entry.defaultConfig) cfg[k] = v;
  }
  Object.assign(cfg, opts.config ?? {});
  const model = createModel(opts.model, cfg);
  try {
    loadCheckpointIntoModel(model, ckpt.raw, { key: opts.key });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** Runs `model` + `checkpoint` in eval mode over `input` (NCHW) in batches and writes the logits; returns a summary. */
export async function predictCommand(opts: PredictOptions): Promise<string> {
  const backend = await useBackend(opts.backend);
  const x = readNpy(opts.input);
  if (x.shape.length !== 4) throw new Error(`predict: input must be NCHW (4-D), got shape [${x.shape.join(', ')}] in ${opts.input}`);
  if (!(x.data instanceof Float32Array || x.data instanceof Float64Array)) {
    throw new Error(`predict: input must be a float array (f2/f4/f8), got ${x.dtype} in ${opts.input}`);
  }
  const batch = opts.batchSize ?? 16;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`predict: batchSize must be a positive integer, got ${batch}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const data = x.data instanceof Float32Array ? x.data : Float32Array.from(x.data);
  const model = buildModel(opts);
  try {
    model.eval();
    let out: Float32Array | null = null;
    let k = 0;
    for (let i = 0; i < n; i += batch) {
      const b = Math.min(batch, n - i);
      const y = tf.tidy(() => {
        const xb = tf.tensor4d(data.subarray(i * c * h * w, (i + b) * c * h * w), [b, c, h, w]);
        const r = model.call(tf.transpose(xb, [0, 2, 3, 1]));
        return tf.reshape(r, [b, -1]);
      });
      const vals = (await y.data()) as Float32Array;
      k = y.shape[1]!;
      y.dispose();
      if (!out) out = new Float32Array(n * k);
      out.set(vals, i * k);
    }
    writeNpy(opts.output, new TorchTensor('float32', [n, k], out ?? new Float32Array(0)));
    return `predict: ${opts.model} on ${backend}: ${n} inputs [${c}×${h}×${w}] → logits [${n}, ${k}] written to ${opts.output}`;
  } finally {
    model.dispose();
  }
}
