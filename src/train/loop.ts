// The training loop: model + data + optimiser + schedule + loss (+ EMA, gradient accumulation), JSONL metrics,
// atomic checkpoints after every epoch (and every `checkpointEvery` steps), exact resume.
//
// Run directory: config.json (resolved config), manifest.json, metrics.jsonl, last.safetensors (latest state),
// best.safetensors (best test top-1), final.safetensors (state at the end).
// Exactness of resume: the data order and augmentation are functions of (seed, epoch, batch) (src/data/loader.ts);
// the global generator (dropout masks) is saved; optimiser slots, EMA, BN buffers and the step (= schedule position)
// are saved. On cpu and wasm a resumed run therefore ends bit-identical to an uninterrupted one.
import * as tf from '@tensorflow/tfjs-core';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { useBackend } from '../backend/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../core/fs.js';
import type { Batch } from '../data/loader.js';
import { keyedRng } from '../data/rng_source.js';
import { createModel } from '../zoo/index.js';
import { initGenerator, manualSeed } from '../nn/init.js';
import type { Module } from '../nn/module.js';
import { loadOptimizer, loadCheckpointWeights, readTrainCheckpoint, saveTrainCheckpoint, type LoadedCheckpoint, type TrainState } from './checkpoint.js';
import { validateConfig, withDefaults, type TrainConfig } from './config.js';
import { buildLoaders } from './data.js';
import { ModelEma } from './ema.js';
import { evaluate, type EvalResult } from './evaluate.js';
import { classificationLoss } from './loss.js';
import { makeManifest, type Manifest } from './manifest.js';
import { Lamb, paramGroups, SGD, type Optimizer } from './optim.js';
import { formatSeconds, Progress } from './progress.js';
import { makeSchedule } from './schedule.js';

/** Optional methods a model (or a method wrapping it) may implement to take part in training. */
export interface TrainHooks {
  /** fraction of training done, in [0, 1), set before each optimiser step's forward passes (DGC) */
  setProgress?(p: number): void;
  /** extra loss computed during the last forward, added × config.auxLossWeight (DGC's lasso) */
  auxiliaryLoss?(): tf.Scalar | null;
  /** called before the first batch of every epoch (CHEX mask exploration) */
  onEpochStart?(epoch: number): void;
  /** called after every optimiser step (CHEX: re-apply masks) */
  afterStep?(): void;
}

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
}

export interface TrainResult {
  runDir: string;
  steps: number;
  final: EvalResult | null;
  finalEma: EvalResult | null;
  bestTop1: number | null;
  wallSeconds: number;
}

export function runPaths(runDir: string) {
  return {
    config: join(runDir, 'config.json'),
    manifest: join(runDir, 'manifest.json'),
    metrics: join(runDir, 'metrics.jsonl'),
    last: join(runDir, 'last.safetensors'),
    best: join(runDir, 'best.safetensors'),
    final: join(runDir, 'final.safetensors'),
  };
}

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
  flush(): number {
    if (this.pending) {
      this.sum += this.pending.dataSync()[0]!;
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

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const t0 = Date.now();
  const runDir = resolve(opts.runDir);
  const paths = runPaths(runDir);
  let cfg: TrainConfig;
  let ck: LoadedCheckpoint | null = null;
  if (opts.resume) {
    if (!existsSync(paths.last) || !existsSync(paths.config)) {
      throw new Error(`resume: ${runDir} holds no run to resume (expected config.json and last.safetensors)`);
    }
    cfg = withDefaults(validateConfig(JSON.parse(readFileSync(paths.config, 'utf8'))));
    if (opts.config) {
      const diff = diffKeys(withDefaults(validateConfig(opts.config)), cfg).filter((k) => k !== 'backend');
      if (diff.length) throw new Error(`resume: the given config differs from ${paths.config} in ${diff.join(', ')}; omit it to use the stored one`);
    }
    // temp files of a process killed while writing (writeFileAtomic names them .<file>.<pid>.<time>.tmp)
    for (const f of readdirSync(runDir)) if (/^\..+\.tmp$/.test(f)) rmSync(join(runDir, f), { force: true });
    ck = readTrainCheckpoint(paths.last);
    if (!ck.state) throw new Error(`resume: ${paths.last} holds no training state`);
  } else {
    if (!opts.config) throw new Error('train: config is required for a new run');
    cfg = withDefaults(validateConfig(opts.config));
    if (existsSync(paths.config) || existsSync(paths.last)) {
      throw new Error(`runDir: ${runDir} already holds a run; resume it (--resume) or choose another directory`);
    }
  }
  const progress = opts.progress ?? new Progress();
  const backend = await useBackend(opts.backend ?? cfg.backend);

  // data, model, EMA, optimiser — in a fixed order so the global generator is consumed identically every time
  const accum = cfg.accumSteps ?? 1;
  const eps = cfg.loss.labelSmoothing ?? 0;
  const loaders = buildLoaders(cfg.data, { batchSize: cfg.batchSize, evalBatchSize: cfg.evalBatchSize ?? cfg.batchSize, seed: cfg.seed, labelSmoothing: eps });
  const shape = loaders.splits.train.imageShape;
  const modelConfig = { numClasses: loaders.splits.numClasses, inChannels: shape ? shape[2] : 3, ...cfg.modelConfig };
  manualSeed(cfg.seed);
  const model = createModel(cfg.model, modelConfig);
  const emaModel = cfg.ema ? createModel(cfg.model, modelConfig) : null;
  const ema = cfg.ema && emaModel ? new ModelEma(emaModel, model, cfg.ema) : null;
  manualSeed(keyedRng(cfg.seed, 9001).nextUint32()); // the stream for dropout during training
  const opt = makeOptimizer(model, cfg);
  const hooks = model as Module & TrainHooks;

  const nb = loaders.train.batchesPerEpoch;
  const updatesPerEpoch = Math.ceil(nb / accum);
  const scheduledSteps = cfg.epochs * updatesPerEpoch;
  const totalSteps = Math.min(scheduledSteps, cfg.maxSteps ?? Infinity);
  const schedule = makeSchedule(cfg.schedule, { baseLr: cfg.optimizer.lr, epochs: cfg.epochs, itersPerEpoch: updatesPerEpoch });

  let step = 0;
  let bestTop1: number | null = null;
  const meter = new LossMeter();
  let manifest: Manifest;
  mkdirSync(runDir, { recursive: true });
  if (ck?.state) {
    const s = ck.state;
    if (s.model !== cfg.model) throw new Error(`resume: ${paths.last} was written for model '${s.model}', the config names '${cfg.model}'`);
    loadCheckpointWeights(model, ck, 'model', cfg.model);
    if (ema) {
      loadCheckpointWeights(ema.ema, ck, 'ema', cfg.model);
      ema.updates = s.emaUpdates;
    }
    loadOptimizer(opt, ck);
    loaders.train.loadState(s.loader);
    initGenerator().setState(s.rng);
    step = s.step;
    bestTop1 = s.bestTop1;
    meter.reset(s.epochLossSum, s.epochSamples);
    manifest = JSON.parse(readFileSync(paths.manifest, 'utf8')) as Manifest;
    manifest.resumes.push({ time: new Date().toISOString(), step });
    manifest.status = 'running';
    // drop metrics logged after the checkpoint (they will be logged again)
    if (existsSync(paths.metrics)) {
      const kept = readFileSync(paths.metrics, 'utf8').split('\n').filter((l) => l && (JSON.parse(l) as { step: number }).step <= step);
      writeFileAtomic(paths.metrics, kept.map((l) => `${l}\n`).join(''));
    }
    progress.line(`resuming ${runDir} at step ${step} (epoch ${s.loader.epoch + 1}, batch ${s.loader.position})`);
  } else {
    writeJsonAtomic(paths.config, cfg);
    manifest = makeManifest(cfg, cfg.seed, backend);
    writeFileSync(paths.metrics, '');
  }
  writeJsonAtomic(paths.manifest, manifest);
  const log = (rec: Record<string, unknown>) => appendFileSync(paths.metrics, `${JSON.stringify({ time: new Date().toISOString(), ...rec })}\n`);

  const state = (finished: boolean): TrainState => ({
    model: cfg.model, modelConfig, step, loader: loaders.train.state(), rng: initGenerator().getState(),
    optimizer: opt.state().meta, emaUpdates: ema?.updates ?? 0, epochLossSum: meter.flush(), epochSamples: meter.samples,
    bestTop1, finished,
  });
  const save = (path: string, finished = false) => saveTrainCheckpoint(path, { model, ema: ema?.ema, optimizer: opt, state: state(finished) });

  const paramName = new Map(opt.params.map((p) => [p.variable.name, p.name]));
  const vars = opt.params.map((p) => p.variable);
  let final: EvalResult | null = null;
  let finalEma: EvalResult | null = null;
  let windowStart = performance.now();
  let windowSamples = 0;
  let windowLoss = meter.flush();
  let windowLossSamples = meter.samples;

  try {
    while (step < totalSteps && loaders.train.state().epoch < cfg.epochs) {
      const epoch = loaders.train.state().epoch;
      if (loaders.train.state().position === 0) {
        meter.reset();
        windowLoss = 0;
        windowLossSamples = 0;
        hooks.onEpochStart?.(epoch);
      }
      model.train();
      const epochStart = performance.now();
      let epochSamples = 0;
      let acc: Map<string, tf.Tensor> | null = null;
      for await (const batch of loaders.train) {
        const b = batch.batch;
        const groupStart = b - (b % accum);
        const groupSize = Math.min(accum, nb - groupStart);
        if (b === groupStart) hooks.setProgress?.(step / scheduledSteps);
        const grads = microStep(model, cfg, batch, vars, paramName, groupSize, meter, hooks);
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
        const isLast = b === nb - 1;
        if (step % cfg.logEvery! === 0 || step === totalSteps) {
          const sum = meter.flush();
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
        if (cfg.checkpointEvery && step % cfg.checkpointEvery === 0 && !isLast && step < totalSteps) save(paths.last);
        if (step >= totalSteps) break;
      }
      if (acc) tf.dispose([...acc.values()]);

      // end of epoch (or of a run stopped by maxSteps)
      const done = step >= totalSteps;
      const rec: Record<string, unknown> = {
        type: 'epoch', epoch, step, trainLoss: meter.flush() / Math.max(meter.samples, 1),
        trainImgPerSec: epochSamples / ((performance.now() - epochStart) / 1000),
      };
      const evalNow = done || (cfg.evalEvery! > 0 && (epoch + 1) % cfg.evalEvery! === 0);
      if (evalNow) {
        const r = await evaluate(model, loaders.test);
        Object.assign(rec, { testTop1: r.top1, testTop5: r.top5, testLoss: r.loss, evalImgPerSec: r.imgPerSec });
        final = r;
        if (ema && cfg.ema?.eval !== false) {
          finalEma = await evaluate(ema.ema, loaders.test);
          Object.assign(rec, { emaTop1: finalEma.top1, emaTop5: finalEma.top5, emaLoss: finalEma.loss });
        }
        if (bestTop1 === null || r.top1 > bestTop1) {
          bestTop1 = r.top1;
          save(paths.best);
        }
      }
      log(rec);
      progress.line(
        `epoch ${epoch + 1}/${cfg.epochs} step ${step} train loss ${(rec.trainLoss as number).toFixed(4)}` +
          (evalNow ? ` test top-1 ${final!.top1.toFixed(2)}% top-5 ${final!.top5.toFixed(2)}%` : '') +
          (evalNow && finalEma ? ` ema top-1 ${finalEma.top1.toFixed(2)}%` : '') +
          ` (${formatSeconds((Date.now() - t0) / 1000)})`,
      );
      save(paths.last, done);
      if (done) break;
    }
    if (!final) {
      // resumed a finished run, or nothing to do: evaluate what there is
      final = await evaluate(model, loaders.test);
      if (ema) finalEma = await evaluate(ema.ema, loaders.test);
    }
    save(paths.final, true);
    save(paths.last, true);
    const wallSeconds = (Date.now() - t0) / 1000;
    manifest.status = 'finished';
    manifest.endTime = new Date().toISOString();
    manifest.wallSeconds = (manifest.wallSeconds ?? 0) + wallSeconds;
    manifest.result = { steps: step, testTop1: final.top1, testTop5: final.top5, emaTop1: finalEma?.top1 ?? null, bestTop1 };
    writeJsonAtomic(paths.manifest, manifest);
    return { runDir, steps: step, final, finalEma, bestTop1, wallSeconds };
  } finally {
    meter.reset();
    opt.dispose();
    model.dispose();
    ema?.ema.dispose();
  }
}

/** Forward + backward of one micro-batch; returns gradients (by parameter name) already divided by `groupSize`. */
function microStep(
  model: Module, cfg: TrainConfig, batch: Batch, vars: tf.Variable[], paramName: Map<string, string>, groupSize: number,
  meter: LossMeter, hooks: TrainHooks,
): Map<string, tf.Tensor> {
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
  value.dispose();
  const out = new Map<string, tf.Tensor>();
  for (const [vname, g] of Object.entries(grads)) out.set(paramName.get(vname)!, g);
  return out;
}
