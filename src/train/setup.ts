// The setup phase of a training run: which config runs (a new run's, or the stored one of a run being resumed),
// then data, model, EMA, optimiser, method hooks and schedule built in a fixed order (the global generator is
// consumed identically every time), then the run directory locked and looked at again under the lock.
import type { BackendName } from '../backend/index.js';
import { checkKernelPath } from './resume_record.js';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { keyedRng } from '../data/rng_source.js';
import { manualSeed } from '../nn/init.js';
import type { Module } from '../nn/module.js';
import { createModel } from '../zoo/index.js';
import { readTrainCheckpoint, type LoadedCheckpoint } from '../checkpoint/training.js';
import { validateConfig, withDefaults, type TrainConfig } from './config.js';
import { buildLoaders, checkData } from './data.js';
import { ModelEma } from './ema.js';
import { methodHooks } from './hooks.js';
import type { Manifest } from './manifest.js';
import { Lamb, paramGroups, SGD, type Optimizer } from './optim.js';
import type { Progress } from './progress.js';
import { acquireRunLock, checkNotLocked, readJsonFile, runDirState, runPaths } from './run_dir.js';
import { makeSchedule } from './schedule.js';
import type { SessionParts } from './session.js';

function diffKeys(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => diffKeys((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return [path || '(root)'];
}

/** Reads and checks the stored config of a run to resume, before anything is touched. */
function resumeConfig(runDir: string, given: TrainConfig | undefined): TrainConfig {
  const paths = runPaths(runDir);
  const state = runDirState(runDir);
  if (state === 'empty') {
    throw new Error(`resume: ${runDir} holds no run to resume (expected config.json and last.safetensors); start a new run there instead`);
  }
  if (!existsSync(paths.config)) {
    throw new Error(`resume: ${runDir} has no config.json (expected the resolved config its run wrote); start a new run there with --config`);
  }
  let cfg: TrainConfig;
  try {
    cfg = withDefaults(validateConfig(readJsonFile(paths.config, 'config')));
  } catch (e) {
    throw new Error(`resume: ${(e as Error).message} [in ${paths.config}]`);
  }
  if (given) {
    const diff = diffKeys(withDefaults(validateConfig(given)), cfg).filter((k) => k !== 'backend');
    if (diff.length) throw new Error(`resume: the given config differs from ${paths.config} in ${diff.join(', ')}; omit it to use the stored one`);
  }
  return cfg;
}

/**
 * What to run, checked before any work (a live run in the directory fails at once): the config, and whether the run
 * continues from a checkpoint.
 */
export function resolveRun(runDir: string, opts: { config?: TrainConfig; resume?: boolean }, progress: Progress):
  { cfg: TrainConfig; fromCheckpoint: boolean } {
  checkNotLocked(runDir);
  if (opts.resume) {
    const cfg = resumeConfig(runDir, opts.config);
    const fromCheckpoint = runDirState(runDir) === 'checkpointed';
    if (!fromCheckpoint) progress.line(`resume: ${runDir} has no checkpoint yet (its run stopped before the first one); starting it again from step 0`);
    return { cfg, fromCheckpoint };
  }
  if (!opts.config) throw new Error('train: config is required for a new run');
  const cfg = withDefaults(validateConfig(opts.config));
  if (runDirState(runDir) === 'checkpointed') {
    throw new Error(`runDir: ${runDir} already holds a run; resume it (--resume) or choose another directory`);
  }
  return { cfg, fromCheckpoint: false };
}

function makeOptimizer(model: Module, cfg: TrainConfig): Optimizer {
  const o = cfg.optimizer;
  const params = paramGroups(model, o.weightDecay ?? 0, o.weightDecayFilter ?? 'all');
  if (o.kind === 'sgd') return new SGD(params, { lr: o.lr, momentum: o.momentum, dampening: o.dampening, nesterov: o.nesterov });
  return new Lamb(params, { lr: o.lr, betas: o.betas, eps: o.eps, maxGradNorm: o.maxGradNorm, trustClip: o.trustClip, alwaysAdapt: o.alwaysAdapt });
}

/** Data (checked now, not after an epoch), model, EMA, optimiser, hooks and schedule, in a fixed order. */
export async function buildParts(cfg: TrainConfig, runDir: string, progress: Progress): Promise<SessionParts> {
  const accum = cfg.accumSteps ?? 1;
  const eps = cfg.loss.labelSmoothing ?? 0;
  const loaders = buildLoaders(cfg.data, { batchSize: cfg.batchSize, evalBatchSize: cfg.evalBatchSize ?? cfg.batchSize, seed: cfg.seed, labelSmoothing: eps });
  const shape = loaders.splits.train.imageShape;
  const modelConfig = { numClasses: loaders.splits.numClasses, inChannels: shape ? shape[2] : 3, ...cfg.modelConfig };
  await checkData(loaders, Number(modelConfig.numClasses), cfg.data.dataset);
  manualSeed(cfg.seed);
  const model = createModel(cfg.model, modelConfig);
  const emaModel = cfg.ema ? createModel(cfg.model, modelConfig) : null;
  const ema = cfg.ema && emaModel ? new ModelEma(emaModel, model, cfg.ema) : null;
  manualSeed(keyedRng(cfg.seed, 9001).nextUint32()); // the stream for dropout during training
  const opt = makeOptimizer(model, cfg);
  const hooks = methodHooks(model, cfg);
  const updatesPerEpoch = Math.ceil(loaders.train.batchesPerEpoch / accum);
  const scheduledSteps = cfg.epochs * updatesPerEpoch;
  return {
    cfg, runDir, paths: runPaths(runDir), progress, loaders, modelConfig, model, ema, opt, hooks,
    schedule: makeSchedule(cfg.schedule, { baseLr: cfg.optimizer.lr, epochs: cfg.epochs, itersPerEpoch: updatesPerEpoch }),
    accum, scheduledSteps, totalSteps: Math.min(scheduledSteps, cfg.maxSteps ?? Infinity),
  };
}

/** Removes what a run that stopped before its first checkpoint left, so that it can start again in place. */
function clearUncheckpointed(runDir: string): void {
  const p = runPaths(runDir);
  for (const f of [p.config, p.manifest, p.metrics, p.best, p.final]) rmSync(f, { force: true });
}

export interface ClaimedRunDir {
  release: () => void;
  /** the checkpoint and manifest to resume from (fromCheckpoint), else null */
  checkpoint: LoadedCheckpoint | null;
  manifest: Manifest | null;
}

/**
 * Locks the run directory, then (under the lock) looks again at what it holds: the checkpoint and manifest to resume
 * from, or the leftovers of a run that stopped before its first checkpoint (cleared). The lock is released if this
 * fails.
 */
export function claimRunDir(
  runDir: string, opts: { resume?: boolean; fromCheckpoint: boolean; backend: BackendName; allowKernelChange?: boolean }, progress: Progress,
): ClaimedRunDir {
  mkdirSync(runDir, { recursive: true });
  const release = acquireRunLock(runDir);
  const paths = runPaths(runDir);
  try {
    const dirState = runDirState(runDir);
    if (!opts.resume && dirState === 'checkpointed') {
      throw new Error(`runDir: ${runDir} already holds a run; resume it (--resume) or choose another directory`);
    }
    if (opts.fromCheckpoint) {
      // (temp files of a process killed while writing were removed when the lock was taken: run_dir.ts)
      const checkpoint = readTrainCheckpoint(paths.last);
      if (!checkpoint.state) throw new Error(`resume: ${paths.last} holds no training state (expected a checkpoint written by chanlab train)`);
      const manifest = readJsonFile(paths.manifest, 'manifest') as Manifest;
      if (typeof manifest !== 'object' || manifest === null || !Array.isArray(manifest.resumes)) {
        throw new Error(`manifest: ${paths.manifest} is not a run manifest (expected an object with status and resumes)`);
      }
      checkKernelPath(manifest, opts.backend, opts.allowKernelChange, runDir);
      return { release, checkpoint, manifest };
    }
    if (dirState === 'started') {
      progress.line(`runDir: ${runDir} holds a run that stopped before its first checkpoint; starting it again in place`);
      clearUncheckpointed(runDir);
    }
    return { release, checkpoint: null, manifest: null };
  } catch (e) {
    release();
    throw e;
  }
}
