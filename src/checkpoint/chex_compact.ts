// `chanlab chex compact` (docs/methods/chex.md §7.5): a full-size masked CHEX ResNet (an official .pth.tar training
// checkpoint or a chanlab run checkpoint) → a physically smaller dense model in the official compact format
// {cfg, state_dict} (loadable by the official resnet{18,34,50,101}(cfg=…)); checks that the compact model's logits
// equal the masked model's and reports the MACs of both ('chex' convention: zero weights not counted).
import * as tf from '@tensorflow/tfjs-core';
import { compactChexState, inferChexConfig, loadChexCheckpoint, resnetDepth } from './chex.js';
import { readCheckpoint } from './load.js';
import { countFlops } from '../flops/counter.js';
import { OrderedDict, type PyValue } from '../interop/py.js';
import { isTorchFile } from '../interop/torch_load.js';
import { TorchTensor } from '../interop/tensor.js';
import { saveTorchFile, type SaveValue } from '../interop/torch_save.js';
import type { Module } from '../nn/module.js';
import { readTrainCheckpoint } from './training.js';

/** The masked full-size state dict (PyTorch keys and layouts, no `module.`) of a .pth/.pth.tar or a run checkpoint. */
export function readMaskedStateDict(path: string): Map<string, TorchTensor> {
  if (isTorchFile(path)) return readCheckpoint(path).stateDict;
  const ck = readTrainCheckpoint(path);
  const prefixed = [...ck.file.tensors.keys()].some((k) => k.startsWith('model.'));
  const out = new Map<string, TorchTensor>();
  for (const [k, t] of ck.file.tensors) {
    if (prefixed && !k.startsWith('model.')) continue;
    const key = prefixed ? k.slice(6) : k;
    out.set(key, t.dtype === 'F32'
      ? new TorchTensor('float32', t.shape, Float32Array.from(t.data))
      : new TorchTensor('int64', t.shape, BigInt64Array.from(t.data as Int32Array, (x) => BigInt(x))));
  }
  return out;
}

/** cfg as the official constructors take it: flat ints (basic blocks) or [Cin, c1, c2] per block + [F] (bottlenecks). */
export function officialCfg(flat: readonly number[], block: 'basic' | 'bottleneck'): SaveValue {
  if (block === 'basic') return [...flat];
  const out: number[][] = [];
  for (let i = 0; i + 3 < flat.length; i += 3) out.push(flat.slice(i, i + 3));
  out.push([flat[flat.length - 1]!]);
  return out;
}

export interface CompactReport {
  depth: number;
  cfg: number[];
  /** IN1/IN2/SKIP filters that are all zero in the input */
  zeroFilters: number;
  macsMasked: number;
  macsCompact: number;
  paramsMasked: number;
  paramsCompact: number;
  /** max |logit difference| compact vs masked on random inputs (eval mode) */
  maxAbsDiff: number;
  inputShape: number[];
  violations: string[];
  folded: string[];
}

function countZeroFilters(sd: Map<string, TorchTensor>): number {
  let n = 0;
  for (const [k, t] of sd) {
    if (!/^layer\d+\.\d+\.(conv1|conv2|downsample\.0)\.weight$/.test(k)) continue;
    if (/\.conv2\.weight$/.test(k) && !sd.has(k.replace('conv2', 'conv3'))) continue; // basic conv2 = OUT
    const per = t.numel / t.shape[0]!;
    const d = t.data as Float32Array;
    for (let r = 0; r < t.shape[0]!; r++) {
      let zero = true;
      for (let i = r * per; i < (r + 1) * per && zero; i++) zero = d[i] === 0;
      if (zero) n++;
    }
  }
  return n;
}

function asRaw(sd: Map<string, TorchTensor>, cfg?: SaveValue): PyValue {
  const od = asRawDict(sd);
  return new Map<PyValue, PyValue>(cfg === undefined ? [['state_dict', od]] : [['cfg', cfg as PyValue], ['state_dict', od]]);
}

async function logitsAndMacs(m: Module, x: tf.Tensor): Promise<[Float32Array, number, number]> {
  m.eval();
  const y = tf.tidy(() => m.call(x));
  const v = (await y.data()) as Float32Array;
  y.dispose();
  const f = await countFlops(m, { inputShape: [1, ...x.shape.slice(1)], convention: 'chex' });
  return [v, f.totals.macs, f.totals.params];
}

/**
 * Compacts `checkpoint` into `out`. `model` (e.g. 'resnet50' or 'chex_resnet50') must name the checkpoint's depth.
 * Errors: no all-zero filters in any prunable conv (not a masked checkpoint), another depth.
 */
export async function compactCheckpoint(o: { model: string; checkpoint: string; out: string; input?: number }): Promise<CompactReport> {
  const want = /resnet(\d+)/.exec(o.model)?.[1];
  if (!want) throw new Error(`chex compact: --model must name a ResNet (resnet18, resnet34, resnet50, resnet101, …), got '${o.model}'`);
  const sd = readMaskedStateDict(o.checkpoint);
  const config = inferChexConfig(new Map([...sd].map(([k, t]) => [k, t.shape])));
  const depth = resnetDepth(config);
  if (String(depth) !== want) throw new Error(`chex compact: --model ${o.model} is ResNet-${want} but --checkpoint ${o.checkpoint} holds a ResNet-${depth}`);
  const zeroFilters = countZeroFilters(sd);
  if (zeroFilters === 0) {
    throw new Error(`chex compact: --checkpoint ${o.checkpoint} has no masks (no all-zero filter in any IN1/IN2/downsample conv); ` +
      'expected a full-size masked CHEX checkpoint (a compact one is already compact)');
  }
  const r = compactChexState(sd);
  const cfg = officialCfg(r.cfg, config.block);
  const masked = loadChexCheckpoint(asRaw(sd)).model;
  const compact = loadChexCheckpoint(asRaw(r.stateDict, cfg)).model;
  const side = o.input ?? (config.stem === 'imagenet' ? 64 : 32);
  const x = tf.randomNormal([2, side, side, config.inChannels], 0, 1, 'float32', 7);
  try {
    const [ya, macsMasked, paramsMasked] = await logitsAndMacs(masked, x);
    const [yb, macsCompact, paramsCompact] = await logitsAndMacs(compact, x);
    let maxAbsDiff = 0;
    ya.forEach((v, i) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - yb[i]!))));
    saveTorchFile(o.out, { cfg, state_dict: asRawDict(r.stateDict) });
    return {
      depth, cfg: r.cfg, zeroFilters, macsMasked, macsCompact, paramsMasked, paramsCompact, maxAbsDiff,
      inputShape: [1, side, side, config.inChannels], violations: r.violations, folded: r.folded,
    };
  } finally {
    x.dispose();
    masked.dispose();
    compact.dispose();
  }
}

function asRawDict(sd: Map<string, TorchTensor>): OrderedDict {
  const od = new OrderedDict();
  for (const [k, t] of sd) od.set(k, t);
  return od;
}
