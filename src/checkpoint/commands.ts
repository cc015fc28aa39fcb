// CLI-facing functions (wired by src/cli): `inspect` prints a checkpoint summary; `predict` runs a model with a
// checkpoint on an NCHW .npy batch and writes the logits as .npy.
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../backend/index.js';
import { countNonFinite, nonFiniteLines, nonFiniteRows } from '../core/finite.js';
import { disposingAfter, explainMemoryError } from '../core/memory.js';
import { nonFiniteState } from '../nn/finite.js';
import { describeCheckpoint } from './describe.js';
import { readNpy, writeNpy } from '../interop/npy.js';
import { TorchTensor } from '../interop/tensor.js';
import { loadTorchFile } from '../interop/torch_load.js';
import { createModel, getModelEntry, type ModelConfig } from '../zoo/index.js';
import { Conv2d } from '../nn/conv.js';
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
  /** load a checkpoint whose weights hold NaN/Inf (refused by default) */
  allowNonFinite?: boolean;
}

/** The classifier's weight or bias (torchvision fc, VGG/DGC/PiX classifier, timm head): its rows are the classes. */
const CLASSIFIER = /(^|\.)(fc|classifier|head|linear|last_linear)(\.\d+)?\.(weight|bias)$/;

/**
 * Infers inChannels (columns of the first 4-D weight) and numClasses (rows of the last classifier weight or bias;
 * else of the last 2-D weight). A checkpoint without any says nothing about its classes (the model's default stays,
 * and the load reports the missing keys, not a size mismatch made up from another layer).
 */
function inferredConfig(shapes: Map<string, number[]>): Partial<ModelConfig> {
  const out: Partial<ModelConfig> = {};
  const first = [...shapes].find(([k, s]) => k.endsWith('.weight') && s.length === 4);
  if (first) out.inChannels = first[1][1]!;
  const heads = [...shapes].filter(([k, s]) => CLASSIFIER.test(k) || (k.endsWith('.weight') && s.length === 2));
  const last = heads[heads.length - 1];
  if (last) out.numClasses = last[1][0]!;
  return out;
}

/** Input channels of a model: those of its first convolution (3 when it has none). */
export function inputChannelsOf(m: Module): number {
  for (const [, sub] of m.namedModules()) if (sub instanceof Conv2d) return sub.inChannels;
  return 3;
}

/** `model` with the weights of `checkpoint`; chex_resnet* models take their (compact) widths from the checkpoint. */
export function modelFromCheckpoint(model: string, checkpoint: string): Module {
  return buildModel({ model, checkpoint });
}

/** A registered model with a checkpoint's weights (numClasses/inChannels inferred from it unless `config` says). */
export function buildModel(opts: Pick<PredictOptions, 'model' | 'checkpoint' | 'key' | 'config' | 'allowNonFinite'>): Module {
  if (opts.model.startsWith('chex_resnet')) {
    return loadChexCheckpoint(opts.checkpoint, { arch: opts.model, key: opts.key, allowNonFinite: opts.allowNonFinite }).model;
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
    loadCheckpointIntoModel(model, ckpt.raw, { key: opts.key, allowNonFinite: opts.allowNonFinite });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** Input channels the checkpoint's first convolution expects (PyTorch [out, in/groups, kh, kw]), or null. */
function expectedChannels(file: string, key: string | undefined): number | null {
  try {
    return inferredConfig(checkpointShapes(readCheckpoint(loadTorchFile(file), { key }))).inChannels ?? null;
  } catch {
    return null;
  }
}

/** A command's printable summary, and whether it found non-finite weights, inputs or outputs (exit status 3). */
export interface CommandReport {
  text: string;
  nonFinite: boolean;
}

/**
 * Runs `model` + `checkpoint` in eval mode over `input` (NCHW) in batches and writes the logits; returns a summary.
 * Samples whose input holds NaN/Inf get NaN logits (as PyTorch's would be) and are reported, as are non-finite logits.
 */
export async function predictCommand(opts: PredictOptions): Promise<CommandReport> {
  const backend = await useBackend(opts.backend);
  const x = readNpy(opts.input);
  if (x.shape.length !== 4) throw new Error(`predict: input ${opts.input} must be NCHW (4-D), got shape [${x.shape.join(', ')}]`);
  if (!(x.data instanceof Float32Array || x.data instanceof Float64Array)) {
    throw new Error(`predict: input ${opts.input} must be a float array (f2/f4/f8), got ${x.dtype}`);
  }
  const batch = opts.batchSize ?? 16;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`predict: batchSize must be a positive integer, got ${batch}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const inC = expectedChannels(opts.checkpoint, opts.key);
  if (inC !== null && c !== inC) {
    const nhwc = w === inC;
    throw new Error(`predict: input ${opts.input} has shape [${x.shape.join(', ')}]: expected NCHW [N, ${inC}, H, W] for this checkpoint` +
      (nhwc ? ` (it looks NHWC: transpose it, e.g. np.transpose(x, (0, 3, 1, 2)))` : ` (${inC} input channels)`));
  }
  const data = x.data instanceof Float32Array ? x.data : Float32Array.from(x.data);
  const per = c * h * w;
  const badInput = nonFiniteRows(data, n, per);
  const model = buildModel(opts);
  return disposingAfter(model, async () => {
    model.eval();
    const weights = opts.allowNonFinite ? await nonFiniteState(model) : [];
    const run = (from: number, b: number): tf.Tensor2D => tf.tidy(() => {
      const xb = tf.tensor4d(from < 0 ? new Float32Array(b * per) : data.subarray(from * per, (from + b) * per), [b, c, h, w]);
      return tf.reshape(model.call(tf.transpose(xb, [0, 2, 3, 1])), [b, -1]) as tf.Tensor2D;
    });
    let k = 0;
    let out: Float32Array | null = n === 0 ? new Float32Array(0) : null;
    try {
      if (n === 0) {
        // no inputs: one zero image only to learn the number of classes, so the output is [0, classes]
        const y = run(-1, 1);
        k = y.shape[1]!;
        y.dispose();
      }
      for (let i = 0; i < n; i += batch) {
        const b = Math.min(batch, n - i);
        const y = run(i, b);
        const vals = (await y.data()) as Float32Array;
        k = y.shape[1]!;
        y.dispose();
        if (!out) out = new Float32Array(n * k);
        out.set(vals, i * k);
      }
    } catch (e) {
      throw explainMemoryError(e, '--batch-size', batch, 'prediction');
    }
    // samples whose input holds NaN/Inf get NaN logits on every backend (as PyTorch's would be)
    for (let i = 0; i < n; i++) if (countNonFinite(data.subarray(i * per, (i + 1) * per)) > 0) out!.fill(NaN, i * k, (i + 1) * k);
    writeNpy(opts.output, new TorchTensor('float32', [n, k], out!));
    const lines = [`predict: ${opts.model} on ${backend}: ${n} inputs [${c}×${h}×${w}] → logits [${n}, ${k}] written to ${opts.output}`];
    const findings = nonFiniteLines({ weights, inputs: badInput, outputs: nonFiniteRows(out!, n, k), samples: n, outputName: 'logits' });
    return { text: [...lines, ...findings].join('\n'), nonFinite: findings.length > 0 };
  });
}
