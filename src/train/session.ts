// One process's hold on a training run: what setup built (config, data, model, EMA, optimiser, method hooks,
// schedule), where the run stands (step, best top-1, last checkpoint), and the operations every phase shares:
// metrics records, the finite-state check, checkpoints and evaluation.
import { appendFileSync, existsSync } from 'node:fs';
import { initGenerator } from '../nn/init.js';
import { nonFiniteState } from '../nn/finite.js';
import type { Module } from '../nn/module.js';
import { saveTrainCheckpoint, type TrainState } from '../checkpoint/training.js';
import type { TrainConfig } from './config.js';
import type { Loaders } from './data.js';
import { DivergenceWatch, fmt } from './divergence.js';
import type { ModelEma } from './ema.js';
import { evaluate, type EvalResult } from './evaluate.js';
import type { TrainHooks } from './hooks.js';
import type { Manifest } from './manifest.js';
import type { Optimizer } from './optim.js';
import type { Progress } from './progress.js';
import type { runPaths } from './run_dir.js';
import { DivergedError } from './stop.js';
import { LossMeter } from './step.js';

/** What setup builds for a run (src/train/setup.ts), in the order that consumes the global generator. */
export interface SessionParts {
  cfg: TrainConfig;
  runDir: string;
  paths: ReturnType<typeof runPaths>;
  progress: Progress;
  loaders: Loaders;
  modelConfig: Record<string, unknown>;
  model: Module;
  ema: ModelEma | null;
  opt: Optimizer;
  hooks: TrainHooks;
  schedule: (step: number) => number;
  /** micro-batches per optimiser step */
  accum: number;
  /** epochs × optimiser steps per epoch: the schedule's length */
  scheduledSteps: number;
  /** scheduledSteps, or maxSteps if smaller */
  totalSteps: number;
}

export class TrainSession {
  step = 0;
  bestTop1: number | null = null;
  /** the step of the checkpoint in last.safetensors written by this process (or resumed from) */
  lastSaved: number | null = null;
  manifest: Manifest | null = null;
  readonly meter = new LossMeter();
  readonly watch = new DivergenceWatch();

  /** `startedAt`: when this process began the run (Date.now()), for elapsed times and the manifest's wall time. */
  constructor(readonly parts: SessionParts, readonly startedAt: number) {}

  get cfg(): TrainConfig {
    return this.parts.cfg;
  }

  /** Appends a record to metrics.jsonl. */
  log(rec: Record<string, unknown>): void {
    appendFileSync(this.parts.paths.metrics, `${JSON.stringify({ time: new Date().toISOString(), ...rec })}\n`);
  }

  private trainState(finished: boolean, epochLossSum: number): TrainState {
    const p = this.parts;
    return {
      model: p.cfg.model, modelConfig: p.modelConfig, step: this.step, loader: p.loaders.train.state(),
      rng: initGenerator().getState(), optimizer: p.opt.state().meta, emaUpdates: p.ema?.updates ?? 0,
      epochLossSum, epochSamples: this.meter.samples, bestTop1: this.bestTop1, finished,
    };
  }

  /** Where the last good checkpoint is, for error messages. */
  where(): string {
    const last = this.parts.paths.last;
    return this.lastSaved !== null ? `; the last good checkpoint (step ${this.lastSaved}) is kept in ${last}`
      : existsSync(last) ? `; the last good checkpoint is kept in ${last}` : '; no checkpoint had been written';
  }

  /** Settles pending losses and refuses non-finite weights: nothing non-finite is ever saved or evaluated. */
  async assertFinite(): Promise<void> {
    const { model, ema, opt } = this.parts;
    await this.watch.check(0, this.where());
    const bad = [...await nonFiniteState(model), ...(ema ? (await nonFiniteState(ema.ema)).map((k) => `ema ${k}`) : [])];
    if (bad.length) {
      throw new DivergedError(`diverged: non-finite weights after step ${this.step} (lr ${fmt(opt.lr)}): ${bad.slice(0, 5).join(', ')}; ` +
        `${this.watch.lastText()}${this.where()}`);
    }
  }

  /** A checkpoint of the whole training state at `path` (atomic), after the finite check. */
  async save(path: string, finished = false): Promise<void> {
    const { model, ema, opt, hooks, paths } = this.parts;
    await this.assertFinite();
    const lossSum = await this.meter.flush();
    await saveTrainCheckpoint(path, { model, ema: ema?.ema, optimizer: opt, state: this.trainState(finished, lossSum), extra: hooks.extraState?.() ?? null });
    if (path === paths.last) this.lastSaved = this.step;
  }

  /** Evaluates on the test split; logits with NaN/Inf from finite weights (overflow) also mean divergence. */
  async evaluateFinite(m: Module, what: string): Promise<EvalResult> {
    const { loaders, cfg } = this.parts;
    const r = await evaluate(m, loaders.test, { dataName: `${cfg.data.dataset} (test split)` });
    if (r.nonFinite > 0) {
      throw new DivergedError(`diverged: the ${what} gives non-finite logits for ${r.nonFinite} of ${r.samples} test images after ` +
        `step ${this.step}; ${this.watch.lastText()}${this.where()}`);
    }
    return r;
  }

  /** Frees the model, EMA, optimiser, hooks and pending loss reads, and stops the data worker threads. */
  dispose(): void {
    const { hooks, opt, model, ema, loaders } = this.parts;
    void loaders.close();
    this.watch.dispose();
    this.meter.reset();
    hooks.releaseHooks?.();
    opt.dispose();
    model.dispose();
    ema?.ema.dispose();
  }
}
