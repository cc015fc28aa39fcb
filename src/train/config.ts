// Training configuration: the JSON shape of a preset (configs/*.json), defaults, and validation with clear errors
// (unknown keys are named together with the allowed ones).
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { validateChexOptions, type ChexOptions } from '../methods/chex/options.js';
import type { EmaConfig } from './ema.js';
import { LOSS_KINDS, type LossConfig } from './loss.js';
import { WEIGHT_DECAY_FILTERS, type WeightDecayFilter } from './optim.js';
import { SCHEDULE_KINDS, type ScheduleConfig } from './schedule.js';
import { checkModelConfig, getModelEntry, hasModel } from '../zoo/index.js';

export type DatasetName = 'fashion_mnist' | 'cifar10' | 'cifar100' | 'imagenet' | 'synthetic';
export const DATASET_NAMES: readonly DatasetName[] = ['fashion_mnist', 'cifar10', 'cifar100', 'imagenet', 'synthetic'];
export type AugmentKind = 'none' | 'crop_flip' | 'random_resized_crop';

export interface MixupConfig {
  mixupAlpha?: number;
  cutmixAlpha?: number;
  prob?: number;
  switchProb?: number;
  /** 'flip' (timm: the reversed batch) or 'permute' (NVIDIA/CHEX) */
  pairing?: 'flip' | 'permute';
}

export interface SyntheticConfig {
  trainSize: number;
  testSize: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
}

export interface DataConfig {
  dataset: DatasetName;
  /** dataset folder (Fashion-MNIST default: /usr/share/datasets/fashion-mnist; ImageNet: the folder with train/ and val/) */
  root?: string;
  /** train augmentation: none, random crop with padding + flip, or RandomResizedCrop + flip */
  augment?: AugmentKind;
  /** zero padding of 'crop_flip' (default 4) */
  cropPadding?: number;
  /** ImageNet crop size (default 224) */
  inputSize?: number;
  interpolation?: 'bilinear' | 'bicubic';
  /** ImageNet eval: resize to ⌊inputSize / cropPct⌋ before the centre crop (default 0.875) */
  cropPct?: number;
  /** 'random_resized_crop' only: timm RandAugment string after the flip, e.g. 'rand-m7-mstd0.5-inc1' */
  randAugment?: string | null;
  /** 'random_resized_crop' only: RandomErasing probability (timm mode 'pixel', one box) after normalising */
  randomErasing?: number;
  /** mixup/cutmix (timm `Mixup`); targets are smoothed with loss.labelSmoothing */
  mixup?: MixupConfig | null;
  /** use only the first N training / test samples */
  trainLimit?: number | null;
  testLimit?: number | null;
  dropLast?: boolean;
  prefetch?: number;
  synthetic?: SyntheticConfig;
}

export interface OptimizerConfig {
  kind: 'sgd' | 'lamb';
  lr: number;
  weightDecay?: number;
  weightDecayFilter?: WeightDecayFilter;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  betas?: [number, number];
  eps?: number;
  maxGradNorm?: number | null;
  trustClip?: boolean;
  alwaysAdapt?: boolean;
}

export interface TrainConfig {
  name?: string;
  description?: string;
  /** where the recipe comes from and how it deviates */
  notes?: string;
  model: string;
  modelConfig?: Record<string, unknown>;
  data: DataConfig;
  epochs: number;
  /** stop after this many optimiser steps (smoke runs, tests) */
  maxSteps?: number | null;
  /** micro-batch size */
  batchSize: number;
  /** gradient accumulation: micro-batches per optimiser step */
  accumSteps?: number;
  evalBatchSize?: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  loss: LossConfig;
  ema?: EmaConfig | null;
  /** weight of the model's auxiliary loss (`auxiliaryLoss()`, e.g. DGC's lasso λ) */
  auxLossWeight?: number;
  seed: number;
  backend?: string;
  /** log a metrics line every N optimiser steps */
  logEvery?: number;
  /** evaluate every N epochs (and after the last); 0 = only after the last */
  evalEvery?: number;
  /** also checkpoint every N optimiser steps (0 = only at epoch ends) */
  checkpointEvery?: number;
  /** a training-time method the run needs ('chex': channel exploration, options in `chex`); unknown → error */
  method?: string;
  /** CHEX channel exploration options (prune, regrow, re-allocate); required by and only allowed with method 'chex' */
  chex?: ChexOptions | null;
}

/** Training-time methods the loop can run (a config naming another one is refused, never trained as a plain model). */
export const IMPLEMENTED_METHODS: readonly string[] = ['chex'];

// ---- validation ---------------------------------------------------------------------------------------------------

type Check = (v: unknown, path: string) => void;

const fail = (path: string, expected: string, v: unknown): never => {
  const shown = typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v);
  throw new Error(`config.${path}: expected ${expected}, got ${shown}`);
};
const num = (min = -Infinity, max = Infinity, integer = false): Check => (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    const range = min > -Infinity && max < Infinity ? ` in [${min}, ${max}]` : min > -Infinity ? ` ≥ ${min}` : max < Infinity ? ` ≤ ${max}` : '';
    fail(p, `${integer ? 'an integer' : 'a number'}${range}`, v);
  }
};
const int = (min = 0) => num(min, Infinity, true);
const str: Check = (v, p) => void (typeof v !== 'string' && fail(p, 'a string', v));
const bool: Check = (v, p) => void (typeof v !== 'boolean' && fail(p, 'true or false', v));
const oneOf = (values: readonly string[]): Check => (v, p) => void (!values.includes(v as string) && fail(p, `one of ${values.join(', ')}`, v));
const nullable = (c: Check): Check => (v, p) => void (v !== null && c(v, p));
const tuple2: Check = (v, p) => {
  if (!Array.isArray(v) || v.length !== 2) fail(p, 'a pair of numbers', v);
  (v as unknown[]).forEach((x, i) => num(0, 1)(x, `${p}[${i}]`));
};
const numArray: Check = (v, p) => {
  if (!Array.isArray(v)) fail(p, 'an array of numbers', v);
  (v as unknown[]).forEach((x, i) => num(0)(x, `${p}[${i}]`));
};
const record: Check = (v, p) => void ((typeof v !== 'object' || v === null || Array.isArray(v)) && fail(p, 'an object', v));

function obj(spec: Record<string, Check>, required: string[] = []): Check {
  return (v, p) => {
    record(v, p);
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!(k in spec)) throw new Error(`config${p ? `.${p}` : ''}: unknown key '${k}' (allowed: ${Object.keys(spec).join(', ')})`);
    }
    for (const k of required) if (o[k] === undefined) throw new Error(`config${p ? `.${p}` : ''}: missing required key '${k}'`);
    for (const [k, c] of Object.entries(spec)) if (o[k] !== undefined) c(o[k], p ? `${p}.${k}` : k);
  };
}

const mixupSpec = obj({ mixupAlpha: num(0), cutmixAlpha: num(0), prob: num(0, 1), switchProb: num(0, 1), pairing: oneOf(['flip', 'permute']) });
const syntheticSpec = obj(
  { trainSize: int(1), testSize: int(1), height: int(1), width: int(1), channels: int(1), numClasses: int(2) },
  ['trainSize', 'testSize', 'height', 'width', 'channels', 'numClasses'],
);
const dataSpec = obj({
  dataset: oneOf(DATASET_NAMES), root: str, augment: oneOf(['none', 'crop_flip', 'random_resized_crop']), cropPadding: int(0),
  inputSize: int(1), interpolation: oneOf(['bilinear', 'bicubic']), cropPct: num(0.01, 1), mixup: nullable(mixupSpec),
  randAugment: nullable(str), randomErasing: num(0, 1),
  trainLimit: nullable(int(1)), testLimit: nullable(int(1)), dropLast: bool, prefetch: int(0), synthetic: syntheticSpec,
}, ['dataset']);
const optimizerSpec = obj({
  kind: oneOf(['sgd', 'lamb']), lr: num(0), weightDecay: num(0), weightDecayFilter: oneOf(WEIGHT_DECAY_FILTERS), momentum: num(0, 1),
  dampening: num(0, 1), nesterov: bool, betas: tuple2, eps: num(0), maxGradNorm: nullable(num(0)), trustClip: bool, alwaysAdapt: bool,
}, ['kind', 'lr']);
const scheduleSpec = obj({
  kind: oneOf(SCHEDULE_KINDS), warmupEpochs: num(0), warmupStart: num(0), minLr: num(0), milestones: numArray, gamma: num(0),
}, ['kind']);
const lossSpec = obj({ kind: oneOf(LOSS_KINDS), labelSmoothing: num(0, 1) }, ['kind']);
const emaSpec = obj({ decay: num(0, 1), warmup: bool, warmupGamma: num(0), warmupPower: num(0), eval: bool }, ['decay']);

const trainSpec = obj({
  name: str, description: str, notes: str, model: str, modelConfig: record, data: dataSpec, epochs: int(1),
  maxSteps: nullable(int(1)), batchSize: int(1), accumSteps: int(1), evalBatchSize: int(1), optimizer: optimizerSpec,
  schedule: scheduleSpec, loss: lossSpec, ema: nullable(emaSpec), auxLossWeight: num(0),
  // the data loader keys its generators with the seed as a safe integer (src/data/loader.ts)
  seed: num(0, Number.MAX_SAFE_INTEGER, true), backend: str, method: str,
  logEvery: int(1), evalEvery: int(0), checkpointEvery: int(0), chex: nullable((x, p) => {
    record(x, p);
    validateChexOptions(x as ChexOptions);
  }),
}, ['model', 'data', 'epochs', 'batchSize', 'optimizer', 'schedule', 'loss', 'seed']);

/** Validates a config object (throws naming the offending key) and returns it typed. */
export function validateConfig(v: unknown): TrainConfig {
  trainSpec(v, '');
  const c = v as TrainConfig;
  if (c.data.dataset === 'synthetic' && !c.data.synthetic) throw new Error("config.data.synthetic: required when dataset is 'synthetic'");
  if (c.schedule.kind === 'step' && !(c.schedule.milestones && c.schedule.milestones.length > 0)) {
    throw new Error("config.schedule.milestones: required for kind 'step' (the epochs at which lr is multiplied by gamma, e.g. [30, 60, 90]); " +
      "use kind 'constant' for a constant lr");
  }
  if (!hasModel(c.model)) getModelEntry(c.model); // throws: unknown model, with the known names
  checkModelConfig(c.model, c.modelConfig ?? {}, 'config.modelConfig');
  if (c.method !== undefined && !(IMPLEMENTED_METHODS as readonly string[]).includes(c.method)) {
    throw new Error(`config.method: '${c.method}' is not implemented in this version of chanlab ` +
      `(implemented: ${IMPLEMENTED_METHODS.length ? IMPLEMENTED_METHODS.join(', ') : 'none'}); refusing to train the plain model instead`);
  }
  if (c.method === 'chex' && !c.chex) throw new Error("config.chex: required when method is 'chex' (channelSparsity, initChannelRatio, deltaT, tMax)");
  if (c.chex && c.method !== 'chex') throw new Error(`config.chex: only allowed with method 'chex', got method ${JSON.stringify(c.method ?? null)}`);
  return c;
}

/** The config with every default filled in (what a run records in config.json). */
export function withDefaults(c: TrainConfig): TrainConfig {
  return {
    ...c,
    modelConfig: c.modelConfig ?? {},
    data: { augment: 'none', mixup: null, trainLimit: null, testLimit: null, dropLast: false, prefetch: 2, ...c.data },
    maxSteps: c.maxSteps ?? null,
    accumSteps: c.accumSteps ?? 1,
    evalBatchSize: c.evalBatchSize ?? c.batchSize,
    optimizer: { weightDecay: 0, weightDecayFilter: 'all', ...c.optimizer },
    ema: c.ema ?? null,
    auxLossWeight: c.auxLossWeight ?? 0,
    logEvery: c.logEvery ?? 50,
    evalEvery: c.evalEvery ?? 1,
    checkpointEvery: c.checkpointEvery ?? 0,
  };
}

// ---- presets ------------------------------------------------------------------------------------------------------

/** Folders searched for presets: $CHANLAB_CONFIGS, ./configs, and configs/ next to the running chanlab package. */
export function presetDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.CHANLAB_CONFIGS) dirs.push(resolve(process.env.CHANLAB_CONFIGS));
  dirs.push(resolve(process.cwd(), 'configs'));
  const script = process.argv[1];
  if (script && existsSync(script)) {
    let d = dirname(realpathSync(script));
    for (let i = 0; i < 4; i++, d = dirname(d)) dirs.push(join(d, 'configs'));
  }
  return [...new Set(dirs)].filter((d) => existsSync(d));
}

export function listPresets(): string[] {
  const names = new Set<string>();
  for (const d of presetDirs()) for (const f of readdirSync(d)) if (f.endsWith('.json')) names.add(f.slice(0, -5));
  return [...names].sort();
}

/** Loads a preset by name (`quick`) or a JSON file path, and validates it. */
export function loadConfig(nameOrPath: string): TrainConfig {
  let path: string | null = null;
  if (nameOrPath.endsWith('.json') || nameOrPath.includes('/')) {
    path = resolve(nameOrPath);
    if (!existsSync(path)) throw new Error(`config: file ${path} does not exist`);
  } else {
    for (const d of presetDirs()) {
      const p = join(d, `${nameOrPath}.json`);
      if (existsSync(p)) {
        path = p;
        break;
      }
    }
    if (!path) throw new Error(`config: unknown preset '${nameOrPath}' (available: ${listPresets().join(', ') || 'none found'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`config: ${path} is not valid JSON (${(e as Error).message})`);
  }
  try {
    return validateConfig(raw);
  } catch (e) {
    throw new Error(`${(e as Error).message} [in ${path}]`);
  }
}

/** Deep-merges `overrides` into a config (objects merge, other values replace) and validates the result. */
export function mergeConfig(base: TrainConfig, overrides: Record<string, unknown>): TrainConfig {
  const merge = (a: unknown, b: unknown): unknown => {
    if (b && typeof b === 'object' && !Array.isArray(b) && a && typeof a === 'object' && !Array.isArray(a)) {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
      return out;
    }
    return b === undefined ? a : b;
  };
  return validateConfig(merge(base, overrides));
}
