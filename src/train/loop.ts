// The training loop: model + data + optimiser + schedule + loss (+ EMA, gradient accumulation), JSONL metrics,
// atomic checkpoints after every epoch (and every `checkpointEvery` steps), exact resume.
//
// Run directory: config.json (resolved config), manifest.json, metrics.jsonl, last.safetensors (latest state),
// best.safetensors (best test top-1), final.safetensors (state at the end), run.lock while a process runs it.
// Lifecycle (src/train/run_dir.ts, stop.ts, divergence.ts): data is checked before training; a non-finite loss or
// weights stop the run ('diverged') and nothing non-finite is saved or promoted to best; SIGINT/SIGTERM checkpoint
// and stop ('interrupted'); any other error ends it 'failed'; the manifest always records the final state.
// Exactness of resume: the data order and augmentation are functions of (seed, epoch, batch) (src/data/loader.ts);
// the global generator (dropout masks) is saved; optimiser slots, EMA, BN buffers and the step (= schedule position)
// are saved. On cpu and wasm a resumed run therefore ends bit-identical to an uninterrupted one.
import * as tf from '@tensorflow/tfjs-core';
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { useBackend } from '../backend/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../core/fs.js';
import type { Batch } from '../data/loader.js';
import { keyedRng } from '../data/rng_source.js';
import { createModel } from '../zoo/index.js';
import { initGenerator, manualSeed } from '../nn/init.js';
import { nonFiniteState } from '../nn/finite.js';
import type { Module } from '../nn/module.js';
import {
  loadOptimizer, loadCheckpointWeights, readExtraState, readTrainCheckpoint, saveTrainCheckpoint, type ExtraState, type LoadedCheckpoint,
  type TrainState,
} from '../checkpoint/training.js';
import { validateConfig, withDefaults, type TrainConfig } from './config.js';
import { buildLoaders, checkData } from './data.js';
import { DivergenceWatch, fmt } from './divergence.js';
import { ModelEma } from './ema.js';
import { evaluate, type EvalResult } from './evaluate.js';
import { classificationLoss } from './loss.js';
import { makeManifest, type Manifest, type RunStatus } from './manifest.js';
import { Lamb, paramGroups, SGD, type Optimizer } from './optim.js';
import { methodHooks, type TrainHooks } from './hooks.js';
import { formatSeconds, Progress } from './progress.js';
import { acquireRunLock, checkNotLocked, readJsonFile, readMetrics, runDirState, runPaths } from './run_dir.js';
import { explainMemoryError } from './memory.js';
import { makeSchedule } from './schedule.js';
import { DivergedError, InterruptedError, RunStopped, StopRequest } from './stop.js';

export type { TrainHooks } from './hooks.js';

export interface StepInfo {
  step: number;
  totalSteps: number;
  epoch: number;
  lr: number;
}

export interface TrainOptions {
  /** required for a new run; with `resume` it must equal the stored config if given */
  config?: TrainConfig;
  runDir: string;
  resume?: boolean;
  /** overrides config.backend (then CHANLAB_BACKEND, then wasm) */
  backend?: string;
  /** awaited after every optimiser step */
  onStep?: (info: StepInfo) => void | Promise<void>;
  progress?: Progress;
  /** SIGINT/SIGTERM stop the run at the next step boundary, checkpointed, manifest 'interrupted' (default true) */
  handleSignals?: boolean;
  /** aborting stops the run the same way */
  signal?: AbortSignal;
}

export interface TrainResult {
  runDir: string;
  steps: number;
  final: EvalResult | null;
  finalEma: EvalResult | null;
  bestTop1: number | null;
  wallSeconds: number;
  /** the model's finalReport() line, if it has one */
  report?: string;
}

export { runPaths } from './run_dir.js';

function diffKeys(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => diffKeys((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return [path || '(root)'];
}

function makeOptimizer(model: Module, cfg: TrainConfig): Optimizer {
  const o = cfg.optimizer;
  const params = paramGroups(model, o.weightDecay ?? 0, o.weightDecayFilter ?? 'all');
  if (o.kind === 'sgd') return new SGD(params, { lr: o.lr, momentum: o.momentum, dampening: o.dampening, nesterov: o.nesterov });
  return new Lamb(params, { lr: o.lr, betas: o.betas, eps: o.eps, maxGradNorm: o.maxGradNorm, trustClip: o.trustClip, alwaysAdapt: o.alwaysAdapt });
}

/** A running sum of per-sample losses kept on the device, read only when needed. */
class LossMeter {
  private pending: tf.Tensor | null = null;
  sum = 0;
  samples = 0;
  add(loss: tf.Scalar, n: number): void {
    const next = tf.tidy(() => (this.pending ? tf.add(this.pending, tf.mul(loss, n)) : tf.mul(loss, n)));
    this.pending?.dispose();
    this.pending = next;
    this.samples += n;
  }
  /** Reads the pending sum (asynchronously: a webgpu backend cannot be read synchronously in Node). */
  async flush(): Promise<number> {
    if (this.pending) {
      this.sum += (await this.pending.data())[0]!;
      this.pending.dispose();
      this.pending = null;
    }
    return this.sum;
  }
  reset(sum = 0, samples = 0): void {
    this.pending?.dispose();
    this.pending = null;
    this.sum = sum;
    this.samples = samples;
  }
}

/** Reads and checks what a resume needs, before anything is touched; null config = the stored one is invalid. */
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

/** Removes what a run that stopped before its first checkpoint left, so that it can start again in place. */
function clearUncheckpointed(runDir: string): void {
  const p = runPaths(runDir);
  for (const f of [p.config, p.manifest, p.metrics, p.best, p.final]) rmSync(f, { force: true });
}

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const t0 = Date.now();
  const runDir = resolve(opts.runDir);
  const paths = runPaths(runDir);
  const progress = opts.progress ?? new Progress();
  // 1. what to run, checked before any work: a live run in the directory fails at once
  checkNotLocked(runDir);
  let cfg: TrainConfig;
  let resuming = false; // from a checkpoint
  if (opts.resume) {
    cfg = resumeConfig(runDir, opts.config);
    resuming = runDirState(runDir) === 'checkpointed';
    if (!resuming) progress.line(`resume: ${runDir} has no checkpoint yet (its run stopped before the first one); starting it again from step 0`);
  } else {
    if (!opts.config) throw new Error('train: config is required for a new run');
    cfg = withDefaults(validateConfig(opts.config));
    if (runDirState(runDir) === 'checkpointed') {
      throw new Error(`runDir: ${runDir} already holds a run; resume it (--resume) or choose another directory`);
    }
  }
  const backend = await useBackend(opts.backend ?? cfg.backend);

  // 2. data (checked now, not after an epoch), model, EMA, optimiser — in a fixed order so the global generator is
  //    consumed identically every time
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
  const hooks: TrainHooks = methodHooks(model, cfg);
  const disposeAll = () => {
    hooks.releaseHooks?.();
    opt.dispose();
    model.dispose();
    ema?.ema.dispose();
  };

  const nb = loaders.train.batchesPerEpoch;
  const updatesPerEpoch = Math.ceil(nb / accum);
  const scheduledSteps = cfg.epochs * updatesPerEpoch;
  const totalSteps = Math.min(scheduledSteps, cfg.maxSteps ?? Infinity);
  const schedule = makeSchedule(cfg.schedule, { baseLr: cfg.optimizer.lr, epochs: cfg.epochs, itersPerEpoch: updatesPerEpoch });

  // 3. the directory: lock it, then (under the lock) look again at what it holds
  let release: () => void;
  try {
    mkdirSync(runDir, { recursive: true });
    release = acquireRunLock(runDir);
  } catch (e) {
    disposeAll();
    throw e;
  }
  let manifest: Manifest | null = null;
  let step = 0;
  const watch = new DivergenceWatch();
  const meter = new LossMeter();
  const finish = (status: RunStatus, message?: string) => {
    if (!manifest) return;
    manifest.status = status;
    if (message !== undefined) manifest.message = message;
    else delete manifest.message;
    manifest.endTime = new Date().toISOString();
    manifest.wallSeconds = (manifest.wallSeconds ?? 0) + (Date.now() - t0) / 1000;
    writeJsonAtomic(paths.manifest, manifest);
  };
  const stop = new StopRequest({
    signals: opts.handleSignals ?? true, abort: opts.signal,
    onForce: (sig) => {
      try {
        finish('interrupted', `stopped by ${sig} during step ${step + 1}; resume from the last checkpoint with --resume`);
      } finally {
        release();
      }
    },
  });
  let bestTop1: number | null = null;
  let ck: LoadedCheckpoint | null = null;
  try {
    const dirState = runDirState(runDir);
    if (!opts.resume && dirState === 'checkpointed') {
      throw new Error(`runDir: ${runDir} already holds a run; resume it (--resume) or choose another directory`);
    }
    if (resuming) {
      // temp files of a process killed while writing (writeFileAtomic names them .<file>.<pid>.<time>.tmp)
      for (const f of readdirSync(runDir)) if (/^\..+\.tmp$/.test(f)) rmSync(join(runDir, f), { force: true });
      ck = readTrainCheckpoint(paths.last);
      if (!ck.state) throw new Error(`resume: ${paths.last} holds no training state (expected a checkpoint written by chanlab train)`);
      manifest = readJsonFile(paths.manifest, 'manifest') as Manifest;
      if (typeof manifest !== 'object' || manifest === null || !Array.isArray(manifest.resumes)) {
        manifest = null;
        throw new Error(`manifest: ${paths.manifest} is not a run manifest (expected an object with status and resumes)`);
      }
    } else if (dirState === 'started') {
      progress.line(`runDir: ${runDir} holds a run that stopped before its first checkpoint; starting it again in place`);
      clearUncheckpointed(runDir);
    }
  } catch (e) {
    stop.dispose();
    release();
    disposeAll();
    throw e;
  }

  const log = (rec: Record<string, unknown>) => appendFileSync(paths.metrics, `${JSON.stringify({ time: new Date().toISOString(), ...rec })}\n`);
  const state = (finished: boolean, epochLossSum: number): TrainState => ({
    model: cfg.model, modelConfig, step, loader: loaders.train.state(), rng: initGenerator().getState(),
    optimizer: opt.state().meta, emaUpdates: ema?.updates ?? 0, epochLossSum, epochSamples: meter.samples,
    bestTop1, finished,
  });
  let lastSaved: number | null = null;
  const where = () => (lastSaved !== null ? `; the last good checkpoint (step ${lastSaved}) is kept in ${paths.last}`
    : existsSync(paths.last) ? `; the last good checkpoint is kept in ${paths.last}` : '; no checkpoint had been written');
  /** Settles pending losses and refuses non-finite weights: nothing non-finite is ever saved or evaluated. */
  const assertFinite = async () => {
    await watch.check(0, where());
    const bad = [...await nonFiniteState(model), ...(ema ? (await nonFiniteState(ema.ema)).map((k) => `ema ${k}`) : [])];
    if (bad.length) {
      throw new DivergedError(`diverged: non-finite weights after step ${step} (lr ${fmt(opt.lr)}): ${bad.slice(0, 5).join(', ')}; ` +
        `${watch.lastText()}${where()}`);
    }
  };
  const save = async (path: string, finished = false) => {
    await assertFinite();
    const lossSum = await meter.flush();
    await saveTrainCheckpoint(path, { model, ema: ema?.ema, optimizer: opt, state: state(finished, lossSum), extra: hooks.extraState?.() ?? null });
    if (path === paths.last) lastSaved = step;
  };

  let final: EvalResult | null = null;
  let finalEma: EvalResult | null = null;
  try {
    if (ck?.state) {
      const s = ck.state;
      if (s.model !== cfg.model) throw new Error(`resume: ${paths.last} was written for model '${s.model}', the config names '${cfg.model}'`);
      loadCheckpointWeights(model, ck, 'model', cfg.model);
      if (ema) {
        loadCheckpointWeights(ema.ema, ck, 'ema', cfg.model);
        ema.updates = s.emaUpdates;
      }
      loadOptimizer(opt, ck);
      if (hooks.loadExtraState) {
        const extra = readExtraState(ck);
        try {
          hooks.loadExtraState(extra);
        } finally {
          tf.dispose([...extra.tensors.values()]);
        }
      }
      loaders.train.loadState(s.loader);
      initGenerator().setState(s.rng);
      step = s.step;
      lastSaved = step;
      bestTop1 = s.bestTop1;
      meter.reset(s.epochLossSum, s.epochSamples);
      manifest!.resumes.push({ time: new Date().toISOString(), step });
      manifest!.status = 'running';
      delete manifest!.message;
      // drop metrics logged after the checkpoint (they will be logged again)
      if (existsSync(paths.metrics)) {
        // method records (CHEX's) are logged at an epoch start, before its first step: one at the checkpoint's step
        // belongs to the epoch start that is redone
        const kept = readMetrics(paths.metrics).filter((l) => {
          const r = l.record as { step?: number; type?: string };
          return (r.step ?? 0) < step || ((r.step ?? 0) === step && (r.type === 'step' || r.type === 'epoch'));
        });
        writeFileAtomic(paths.metrics, kept.map((l) => `${l.line}\n`).join(''));
      }
      progress.line(`resuming ${runDir} at step ${step} (epoch ${s.loader.epoch + 1}, batch ${s.loader.position})`);
    } else {
      writeJsonAtomic(paths.config, cfg);
      manifest = makeManifest(cfg, cfg.seed, backend);
      if (opts.resume) manifest.resumes.push({ time: manifest.startTime, step: 0 });
      writeFileAtomic(paths.metrics, '');
    }
    writeJsonAtomic(paths.manifest, manifest);
    const r = await trainLoop();
    finish('finished');
    return r;
  } catch (e0) {
    const e = explainMemoryError(e0, 'batchSize', cfg.batchSize, 'training');
    const err = e instanceof Error ? e : new Error(String(e));
    if (err instanceof RunStopped) finish(err.status, err.message);
    else finish('failed', err.message);
    throw err;
  } finally {
    watch.dispose();
    meter.reset();
    stop.dispose();
    release();
    disposeAll();
  }

  async function trainLoop(): Promise<TrainResult> {
    const paramName = new Map(opt.params.map((p) => [p.variable.name, p.name]));
    const vars = opt.params.map((p) => p.variable);
    let windowStart = performance.now();
    let windowSamples = 0;
    let windowLoss = await meter.flush();
    let windowLossSamples = meter.samples;
    const interrupt = async (epoch: number) => {
      await save(paths.last);
      throw new InterruptedError(`interrupted by ${stop.reason === 'abort' ? 'the caller' : stop.reason} at step ${step} ` +
        `(epoch ${epoch + 1}); checkpoint saved in ${paths.last}; continue with --resume`, stop.reason ?? 'abort');
    };

    while (step < totalSteps && loaders.train.state().epoch < cfg.epochs) {
      const epoch = loaders.train.state().epoch;
      if (loaders.train.state().position === 0) {
        meter.reset();
        windowLoss = 0;
        windowLossSamples = 0;
        const rec = hooks.onEpochStart?.(epoch);
        if (rec) log({ epoch, step, ...rec });
      }
      model.train();
      const epochStart = performance.now();
      let epochSamples = 0;
      let acc: Map<string, tf.Tensor> | null = null;
      let stepLoss: tf.Scalar | null = null;
      for await (const batch of loaders.train) {
        const b = batch.batch;
        const groupStart = b - (b % accum);
        const groupSize = Math.min(accum, nb - groupStart);
        if (b === groupStart) hooks.setProgress?.(step / scheduledSteps);
        const { grads, loss } = microStep(model, cfg, batch, vars, paramName, groupSize, meter, hooks);
        if (stepLoss) {
          const sum = tf.add(stepLoss, loss) as tf.Scalar;
          stepLoss.dispose();
          loss.dispose();
          stepLoss = sum;
        } else stepLoss = loss;
        if (acc) {
          for (const [k, g] of grads) {
            const sum = tf.add(acc.get(k)!, g);
            acc.get(k)!.dispose();
            g.dispose();
            acc.set(k, sum);
          }
        } else acc = grads;
        windowSamples += batch.y.length;
        epochSamples += batch.y.length;
        if (b !== groupStart + groupSize - 1) continue;

        const lr = schedule(step);
        opt.lr = lr;
        opt.step(acc);
        tf.dispose([...acc.values()]);
        acc = null;
        ema?.update();
        hooks.afterStep?.();
        step += 1;
        watch.push(step, epoch, lr, stepLoss);
        stepLoss = null;
        await watch.check(1, where()); // the previous step's loss: read without waiting on this one
        const isLast = b === nb - 1;
        if (step % cfg.logEvery! === 0 || step === totalSteps) {
          const sum = await meter.flush();
          const loss = (sum - windowLoss) / Math.max(meter.samples - windowLossSamples, 1);
          [windowLoss, windowLossSamples] = [sum, meter.samples];
          const secs = (performance.now() - windowStart) / 1000;
          const ips = windowSamples / secs;
          [windowStart, windowSamples] = [performance.now(), 0];
          log({ type: 'step', epoch, step, lr, loss, imgPerSec: ips });
          const eta = ((totalSteps - step) * accum * cfg.batchSize) / ips;
          progress.update(epoch, cfg.epochs, b + 1, nb, `step ${step} loss ${loss.toFixed(4)} lr ${lr.toPrecision(3)} ${ips.toFixed(0)} img/s ETA ${formatSeconds(eta)}`, true);
        } else {
          progress.update(epoch, cfg.epochs, b + 1, nb, `step ${step}`);
        }
        await opts.onStep?.({ step, totalSteps, epoch, lr });
        if (cfg.checkpointEvery && step % cfg.checkpointEvery === 0 && !isLast && step < totalSteps) await save(paths.last);
        if (stop.requested && !isLast && step < totalSteps) await interrupt(epoch);
        if (step >= totalSteps) break;
      }
      if (acc) tf.dispose([...acc.values()]);
      stepLoss?.dispose();

      // end of epoch (or of a run stopped by maxSteps): nothing non-finite is evaluated, promoted to best or saved
      await assertFinite();
      const done = step >= totalSteps;
      const rec: Record<string, unknown> = {
        type: 'epoch', epoch, step, trainLoss: (await meter.flush()) / Math.max(meter.samples, 1),
        trainImgPerSec: epochSamples / ((performance.now() - epochStart) / 1000),
      };
      const evalNow = done || (cfg.evalEvery! > 0 && (epoch + 1) % cfg.evalEvery! === 0);
      if (evalNow) {
        const r = await evaluateFinite(model, 'model');
        Object.assign(rec, { testTop1: r.top1, testTop5: r.top5, testLoss: r.loss, evalImgPerSec: r.imgPerSec });
        final = r;
        if (ema && cfg.ema?.eval !== false) {
          finalEma = await evaluateFinite(ema.ema, 'EMA model');
          Object.assign(rec, { emaTop1: finalEma.top1, emaTop5: finalEma.top5, emaLoss: finalEma.loss });
        }
        if (bestTop1 === null || r.top1 > bestTop1) {
          bestTop1 = r.top1;
          await save(paths.best);
        }
      }
      log(rec);
      progress.line(
        `epoch ${epoch + 1}/${cfg.epochs} step ${step} train loss ${(rec.trainLoss as number).toFixed(4)}` +
          (evalNow ? ` test top-1 ${final!.top1.toFixed(2)}% top-5 ${final!.top5.toFixed(2)}%` : '') +
          (evalNow && finalEma ? ` ema top-1 ${finalEma.top1.toFixed(2)}%` : '') +
          ` (${formatSeconds((Date.now() - t0) / 1000)})`,
      );
      await save(paths.last, done);
      if (done) break;
      if (stop.requested) await interrupt(epoch + 1);
    }
    if (!final) {
      // resumed a finished run, or nothing to do: evaluate what there is
      await assertFinite();
      final = await evaluateFinite(model, 'model');
      if (ema) finalEma = await evaluateFinite(ema.ema, 'EMA model');
    }
    const report = hooks.finalReport ? await hooks.finalReport() : undefined;
    if (report !== undefined) log({ type: 'report', step, report });
    await save(paths.final, true);
    await save(paths.last, true);
    const wallSeconds = (Date.now() - t0) / 1000;
    manifest!.result = { steps: step, testTop1: final.top1, testTop5: final.top5, emaTop1: finalEma?.top1 ?? null, bestTop1 };
    return { runDir, steps: step, final, finalEma, bestTop1, wallSeconds, ...(report !== undefined ? { report } : {}) };
  }

  /** Evaluates on the test split; logits with NaN/Inf from finite weights (overflow) also mean divergence. */
  async function evaluateFinite(m: Module, what: string): Promise<EvalResult> {
    const r = await evaluate(m, loaders.test, { dataName: `${cfg.data.dataset} (test split)` });
    if (r.nonFinite > 0) {
      throw new DivergedError(`diverged: the ${what} gives non-finite logits for ${r.nonFinite} of ${r.samples} test images after ` +
        `step ${step}; ${watch.lastText()}${where()}`);
    }
    return r;
  }
}

/**
 * Forward + backward of one micro-batch; returns gradients (by parameter name) already divided by `groupSize`, and
 * the loss / groupSize (summed over a group: the step's mean loss).
 */
function microStep(
  model: Module, cfg: TrainConfig, batch: Batch, vars: tf.Variable[], paramName: Map<string, string>, groupSize: number,
  meter: LossMeter, hooks: TrainHooks,
): { grads: Map<string, tf.Tensor>; loss: tf.Scalar } {
  const x = tf.tensor4d(batch.x, batch.shape);
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.call(x);
    let loss = classificationLoss(cfg.loss, logits, batch.y, batch.softY);
    const aux = cfg.auxLossWeight ? hooks.auxiliaryLoss?.() : null;
    if (aux) loss = tf.add(loss, tf.mul(aux, cfg.auxLossWeight!));
    return groupSize > 1 ? tf.div(loss, groupSize) : loss;
  }, vars);
  x.dispose();
  const unscaled = groupSize > 1 ? (tf.mul(value, groupSize) as tf.Scalar) : value;
  meter.add(unscaled, batch.y.length);
  if (unscaled !== value) unscaled.dispose();
  const out = new Map<string, tf.Tensor>();
  for (const [vname, g] of Object.entries(grads)) out.set(paramName.get(vname)!, g);
  return { grads: out, loss: value };
}
