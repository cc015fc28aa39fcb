// CHEX checkpoints (docs/methods/chex.md §7): full-size masked training checkpoints (zeros at pruned channels, `module.`
// keys) and compact ones carrying `cfg`. The ResNet is built from the tensor shapes (§7.3 decision: shapes are the
// truth, `cfg` only a cross-check), then loaded strictly.
import { ChexResNet, defaultChexCfg, flattenChexCfg, type ChexCfg, type ChexResNetConfig } from '../models/chex_resnet.js';
import type { Module } from '../nn/module.js';
import { TorchTensor } from '../interop/tensor.js';
import type { Meta } from './convert.js';
import { stageBlockCounts } from './guess.js';
import { checkpointShapes, loadCheckpointIntoModel, readCheckpoint, type CheckpointMetadata, type CheckpointSource, type ReadOptions } from './load.js';

/** ChexResNet config read off a torchvision-keyed ResNet state dict (keys → PyTorch shapes). */
export function inferChexConfig(shapes: Map<string, number[]>): ChexResNetConfig {
  const need = (k: string): number[] => {
    const s = shapes.get(k);
    if (!s) throw new Error(`CHEX checkpoint: missing '${k}' (expected torchvision ResNet keys conv1, bn1, layer{s}.{b}.conv…, fc)`);
    return s;
  };
  const stem = need('conv1.weight');
  const fc = need('fc.weight');
  const layers = stageBlockCounts(shapes.keys());
  if (layers.length === 0 || layers.some((n) => n === 0)) {
    throw new Error(`CHEX checkpoint: cannot find the residual stages (layer1.0.…), got blocks per stage [${layers.join(',')}]`);
  }
  const bottleneck = shapes.has('layer1.0.conv3.weight');
  const e = bottleneck ? 4 : 1;
  const widths = layers.map((_, s) => need(`layer${s + 1}.0.${bottleneck ? 'conv3' : 'conv2'}.weight`)[0]! / e);
  const cfg: number[] = [];
  layers.forEach((n, s) => {
    for (let b = 0; b < n; b++) {
      const c1 = need(`layer${s + 1}.${b}.conv1.weight`);
      if (bottleneck) cfg.push(c1[1]!, c1[0]!, need(`layer${s + 1}.${b}.conv2.weight`)[0]!);
      else cfg.push(c1[0]!);
    }
  });
  cfg.push(fc[1]!);
  return {
    numClasses: fc[0]!, inChannels: stem[1]!, block: bottleneck ? 'bottleneck' : 'basic', layers, widths,
    stemWidth: stem[0]!, stem: stem[2] === 7 ? 'imagenet' : 'small', cfg,
  };
}

/** Depth of a torchvision-style ResNet: 2 + (2 or 3 convs) × blocks (18, 34, 50, 101, 152; CIFAR ResNet-8/20/…). */
export function resnetDepth(c: Pick<ChexResNetConfig, 'block' | 'layers'>): number {
  return 2 + (c.block === 'bottleneck' ? 3 : 2) * c.layers.reduce((a, b) => a + b, 0);
}

export interface LoadChexOptions extends ReadOptions {
  /** Expected architecture (e.g. 'chex_resnet50' or 'resnet50'): its depth must match the checkpoint. */
  arch?: string;
  /** load float tensors holding NaN/Inf (to inspect a diverged run); refused by default */
  allowNonFinite?: boolean;
}

export interface LoadChexResult {
  model: ChexResNet;
  config: ChexResNetConfig;
  /** The flat cfg built (per block [Cin,c1,c2] / c, then F). */
  cfg: number[];
  /** True when some inner width is below the default (a compact, physically pruned checkpoint). */
  compact: boolean;
  metadata: CheckpointMetadata;
}


function cfgFromMeta(m: Meta | undefined): number[] | null {
  if (m === undefined || m === null) return null;
  if (!Array.isArray(m)) throw new Error(`CHEX checkpoint: 'cfg' must be a list of ints or int lists, got ${JSON.stringify(m)}`);
  return flattenChexCfg(m as unknown as ChexCfg);
}

/**
 * Builds the ChexResNet that a CHEX checkpoint describes and loads it strictly (the model is in eval mode). Works for
 * full-size masked checkpoints (default widths, zeros at pruned channels) and compact ones (narrower conv1/conv2 with a
 * `cfg` entry, which must agree with the tensor shapes).
 */
export function loadChexCheckpoint(src: CheckpointSource, opts: LoadChexOptions = {}): LoadChexResult {
  const ckpt = readCheckpoint(src, opts);
  const config = inferChexConfig(checkpointShapes(ckpt));
  const cfg = config.cfg as number[];
  const stated = cfgFromMeta(ckpt.metadata.cfg);
  if (stated) {
    if (stated.length !== cfg.length) {
      throw new Error(`CHEX checkpoint: 'cfg' has ${stated.length} entries but the state dict describes ${cfg.length} ` +
        `([${cfg.join(',')}])`);
    }
    const bad = stated.findIndex((v, i) => v !== cfg[i]);
    if (bad >= 0) throw new Error(`CHEX checkpoint: cfg[${bad}] = ${stated[bad]} but the tensors give ${cfg[bad]} (cfg from shapes: [${cfg.join(',')}])`);
  }
  const depth = String(resnetDepth(config));
  if (opts.arch) {
    const want = /resnet(\d+)/.exec(opts.arch)?.[1];
    if (want && want !== depth) {
      throw new Error(`CHEX checkpoint: arch '${opts.arch}' expects ResNet-${want} but the checkpoint is ResNet-${depth} ` +
        `(${config.block} blocks [${config.layers.join(',')}])`);
    }
  }
  const model = new ChexResNet(config);
  try {
    loadCheckpointIntoModel(model, ckpt.raw, { ...opts, strict: true });
  } catch (e) {
    model.dispose();
    throw e;
  }
  model.eval();
  const dflt = defaultChexCfg(config);
  const compact = model.cfg.some((v, i) => v !== dflt[i]);
  return { model, config, cfg: model.cfg, compact, metadata: ckpt.metadata };
}

/** Convenience for `predict`: a ChexResNet as a plain Module. */
export function chexModelFromCheckpoint(src: CheckpointSource, arch?: string): Module {
  return loadChexCheckpoint(src, { arch }).model;
}

// ---- compaction (docs/methods/chex.md §7.5) ----------------------------------------------------------------------------------------

export interface CompactResult {
  /** Compact state dict (PyTorch layouts), same key order; downsample convs stay full size. */
  stateDict: Map<string, TorchTensor>;
  /** Flat cfg of the compact network. */
  cfg: number[];
  /** Mask-consistency findings (§7.3 step 5): zero filters whose BN γ/β or consumer columns are not zero. */
  violations: string[];
  /** Constant channels removed by folding them into the next BN's running mean. */
  folded: string[];
}

function rowIsZero(t: TorchTensor, r: number): boolean {
  const per = t.numel / t.shape[0]!;
  const d = t.data as Float32Array;
  for (let i = r * per; i < (r + 1) * per; i++) if (d[i] !== 0) return false;
  return true;
}

function colIsZero(t: TorchTensor, c: number): boolean {
  const [o, i] = t.shape as [number, number];
  const hw = t.numel / (o * i);
  const d = t.data as Float32Array;
  for (let r = 0; r < o; r++) for (let k = 0; k < hw; k++) if (d[(r * i + c) * hw + k] !== 0) return false;
  return true;
}

/** Keep rows `rows` (dim 0) and columns `cols` (dim 1, when given) of a float tensor. */
function slice(t: TorchTensor, rows: number[] | null, cols: number[] | null): TorchTensor {
  const shape = [...t.shape];
  const r = rows ?? Array.from({ length: shape[0]! }, (_, i) => i);
  const inner = shape.length > 1 ? shape[1]! : 1;
  const c = shape.length > 1 ? (cols ?? Array.from({ length: inner }, (_, i) => i)) : [0];
  const hw = shape.length > 1 ? t.numel / (shape[0]! * inner) : 1;
  const src = t.data as Float32Array;
  const out = new Float32Array(r.length * c.length * hw);
  let p = 0;
  for (const ri of r) for (const ci of c) for (let k = 0; k < hw; k++) out[p++] = src[(ri * inner + ci) * hw + k]!;
  shape[0] = r.length;
  if (shape.length > 1) shape[1] = c.length;
  return new TorchTensor(t.dtype, shape, out);
}

/**
 * Physically removes pruned inner channels of a full-size masked CHEX ResNet state dict (keys without `module.`).
 * A channel with an all-zero filter emits, in eval mode, the constant c = relu(β − γ·μ/√(σ²+ε)) (0 when masked as
 * CHEX masks, γ = β = 0):
 *  - c = 0: dropped;
 *  - c ≠ 0 and the consumer is a 1×1 unpadded conv followed by a BN (bottleneck IN2 → conv3 → bn3): dropped and its
 *    contribution c·W[:, j] folded into that BN's running mean (exact in eval mode);
 *  - c ≠ 0 before a padded 3×3 consumer (IN1 → conv2): kept, because zero padding makes the constant's contribution
 *    position-dependent, so no per-channel fold is exact.
 * The result loads into `new ChexResNet({... cfg})` and gives the masked model's eval-mode logits.
 */
export function compactChexState(sd: Map<string, TorchTensor>): CompactResult {
  const config = inferChexConfig(new Map([...sd].map(([k, t]) => [k, t.shape] as [string, number[]])));
  for (const [k, t] of sd) {
    if (t.dtype !== 'float32' && !k.endsWith('num_batches_tracked')) throw new Error(`compactChexState: '${k}' is ${t.dtype}, expected float32`);
  }
  const get = (k: string): TorchTensor => sd.get(k)!;
  const out = new Map(sd);
  const violations: string[] = [];
  const folded: string[] = [];
  const cfg: number[] = [];
  const BN_EPS = 1e-5;
  const prune = (p: string, conv: string, bn: string, consumer: string, foldBn: string | null): number[] => {
    const w = get(`${p}${conv}.weight`);
    const f32 = (e: string) => get(`${p}${bn}.${e}`).data as Float32Array;
    const [gamma, beta, mean, variance] = [f32('weight'), f32('bias'), f32('running_mean'), f32('running_var')];
    const cons = get(`${p}${consumer}.weight`);
    const keep: number[] = [];
    let foldMean: Float32Array | null = null;
    for (let r = 0; r < w.shape[0]!; r++) {
      const zero = rowIsZero(w, r);
      if (zero && (gamma[r] !== 0 || beta[r] !== 0 || !colIsZero(cons, r))) {
        violations.push(`${p}${conv} channel ${r}: zero filter but ${gamma[r] !== 0 ? 'γ ≠ 0' : beta[r] !== 0 ? 'β ≠ 0' : `${consumer} input column ≠ 0`}`);
      }
      if (!zero) {
        keep.push(r);
        continue;
      }
      const c = Math.max(0, beta[r]! - (gamma[r]! * mean[r]!) / Math.sqrt(variance[r]! + BN_EPS));
      if (c === 0) continue;
      if (!foldBn) {
        keep.push(r);
        continue;
      }
      // consumer is [out, in, 1, 1]: its output gains c·W[o, r] everywhere; bn(z + b) = bn with running_mean − b
      foldMean ??= Float32Array.from(out.get(`${p}${foldBn}.running_mean`)!.data as Float32Array);
      const cw = cons.data as Float32Array;
      const nIn = cons.shape[1]!;
      for (let o = 0; o < cons.shape[0]!; o++) foldMean[o] = foldMean[o]! - c * cw[o * nIn + r]!;
      folded.push(`${p}${conv} channel ${r}: constant ${c} folded into ${p}${foldBn}.running_mean`);
    }
    if (keep.length === 0) {
      throw new Error(`chex compact: ${p}${conv}.weight has all ${w.shape[0]} filters zero (its mask removes the whole conv, ` +
        'so the block\'s branch is a constant); the compact format needs at least one channel per conv: expected a checkpoint ' +
        `that keeps ≥ 1 channel of ${p}${conv}`);
    }
    if (foldMean) out.set(`${p}${foldBn}.running_mean`, new TorchTensor('float32', [foldMean.length], foldMean));
    out.set(`${p}${conv}.weight`, slice(out.get(`${p}${conv}.weight`)!, keep, null));
    for (const e of ['weight', 'bias', 'running_mean', 'running_var']) out.set(`${p}${bn}.${e}`, slice(get(`${p}${bn}.${e}`), keep, null));
    out.set(`${p}${consumer}.weight`, slice(out.get(`${p}${consumer}.weight`)!, null, keep));
    return keep;
  };
  config.layers.forEach((n, s) => {
    for (let b = 0; b < n; b++) {
      const p = `layer${s + 1}.${b}.`;
      if (config.block === 'bottleneck') {
        const cin = get(`${p}conv1.weight`).shape[1]!;
        const k1 = prune(p, 'conv1', 'bn1', 'conv2', null);
        const k2 = prune(p, 'conv2', 'bn2', 'conv3', 'bn3');
        cfg.push(cin, k1.length, k2.length);
      } else {
        cfg.push(prune(p, 'conv1', 'bn1', 'conv2', null).length);
      }
    }
  });
  cfg.push(get('fc.weight').shape[1]!);
  return { stateDict: out, cfg, violations, folded };
}
