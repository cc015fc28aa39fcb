// The step and evaluation phases of an epoch: optimiser steps over the epoch's batches (gradient accumulation, the
// schedule, EMA, method hooks, the one-step-late loss check, progress and metrics, step checkpoints, stop requests),
// then at its end the finite check, evaluation (model and EMA), the best checkpoint and the epoch record.
import * as tf from '@tensorflow/tfjs-core';
import type { EvalResult } from './evaluate.js';
import { formatSeconds } from './progress.js';
import type { TrainSession } from './session.js';
import { microStep, StepSum } from './step.js';

/** The span the step records' loss and img/s are averaged over (since the last record). */
export interface LogWindow {
  start: number;
  samples: number;
  loss: number;
  lossSamples: number;
  /** ms the window's steps waited for data (the loader's batch.waitMs), and the step the window began at */
  waitMs: number;
  step: number;
}

export interface StepHooks {
  /** awaited after every optimiser step */
  onStep?: (info: { step: number; totalSteps: number; epoch: number; lr: number }) => void | Promise<void>;
  /** true when a stop was requested (SIGINT/SIGTERM/abort) */
  stopRequested: () => boolean;
  /** checkpoints and throws InterruptedError */
  interrupt: (epoch: number) => Promise<never>;
}

/** Logs a step record and the progress line with loss, lr, img/s and ETA over the window; starts a new window. */
async function logStep(s: TrainSession, w: LogWindow, epoch: number, batch: number, lr: number): Promise<void> {
  const { cfg, loaders, progress, accum, totalSteps } = s.parts;
  const sum = await s.meter.flush();
  const loss = (sum - w.loss) / Math.max(s.meter.samples - w.lossSamples, 1);
  [w.loss, w.lossSamples] = [sum, s.meter.samples];
  const secs = (performance.now() - w.start) / 1000;
  const ips = w.samples / secs;
  // the time a step waited for its data, and its share of the window's wall time
  const wait = { dataWaitMs: w.waitMs / Math.max(s.step - w.step, 1), dataWaitFraction: w.waitMs / 1000 / secs };
  [w.start, w.samples, w.waitMs, w.step] = [performance.now(), 0, 0, s.step];
  s.log({ type: 'step', epoch, step: s.step, lr, loss, imgPerSec: ips, ...wait });
  const eta = ((totalSteps - s.step) * accum * cfg.batchSize) / ips;
  progress.update(epoch, cfg.epochs, batch + 1, loaders.train.batchesPerEpoch,
    `step ${s.step} loss ${loss.toFixed(4)} lr ${lr.toPrecision(3)} ${ips.toFixed(0)} img/s ` +
    `data wait ${wait.dataWaitMs.toFixed(0)} ms/step (${(100 * wait.dataWaitFraction).toFixed(1)}%) ETA ${formatSeconds(eta)}`, true);
}

/** Optimiser steps over the rest of the current epoch; returns the samples seen. */
export async function trainEpoch(s: TrainSession, epoch: number, w: LogWindow, h: StepHooks): Promise<number> {
  const { cfg, model, opt, ema, hooks, loaders, progress, schedule, accum, scheduledSteps, totalSteps } = s.parts;
  const nb = loaders.train.batchesPerEpoch;
  const paramName = new Map(opt.params.map((p) => [p.variable.name, p.name]));
  const vars = opt.params.map((p) => p.variable);
  const sum = new StepSum();
  let samples = 0;
  try {
    for await (const batch of loaders.train) {
      const b = batch.batch;
      const groupStart = b - (b % accum);
      const groupSize = Math.min(accum, nb - groupStart);
      if (b === groupStart) hooks.setProgress?.(s.step / scheduledSteps);
      const { grads, loss } = microStep(model, cfg, batch, vars, paramName, groupSize, s.meter, hooks);
      sum.add(grads, loss);
      w.samples += batch.y.length;
      w.waitMs += batch.waitMs ?? 0;
      samples += batch.y.length;
      if (b !== groupStart + groupSize - 1) continue;

      const lr = schedule(s.step);
      const step = sum.take();
      opt.lr = lr;
      opt.step(step.grads);
      tf.dispose([...step.grads.values()]);
      ema?.update();
      hooks.afterStep?.();
      s.step += 1;
      s.watch.push(s.step, epoch, lr, step.loss);
      await s.watch.check(1, s.where()); // the previous step's loss: read without waiting on this one
      const isLast = b === nb - 1;
      if (s.step % cfg.logEvery! === 0 || s.step === totalSteps) await logStep(s, w, epoch, b, lr);
      else progress.update(epoch, cfg.epochs, b + 1, nb, `step ${s.step}`);
      await h.onStep?.({ step: s.step, totalSteps, epoch, lr });
      const more = !isLast && s.step < totalSteps;
      if (cfg.checkpointEvery && s.step % cfg.checkpointEvery === 0 && more) await s.save(s.parts.paths.last);
      if (h.stopRequested() && more) await h.interrupt(epoch);
      if (s.step >= totalSteps) break;
    }
  } finally {
    sum.dispose();
  }
  return samples;
}

export interface EpochEvaluation {
  final: EvalResult | null;
  finalEma: EvalResult | null;
}

/**
 * The end of an epoch (or of a run stopped by maxSteps): nothing non-finite is evaluated, promoted to best or saved.
 * Evaluates when due (every evalEvery epochs and at the end), keeps the best checkpoint, logs the epoch record and
 * prints its line; `ev` is updated with the evaluations made.
 */
export async function endEpoch(s: TrainSession, epoch: number, epochStart: number, samples: number, done: boolean,
  ev: EpochEvaluation): Promise<void> {
  const { cfg, model, ema, progress, paths } = s.parts;
  await s.assertFinite();
  const rec: Record<string, unknown> = {
    type: 'epoch', epoch, step: s.step, trainLoss: (await s.meter.flush()) / Math.max(s.meter.samples, 1),
    trainImgPerSec: samples / ((performance.now() - epochStart) / 1000),
  };
  const evalNow = done || (cfg.evalEvery! > 0 && (epoch + 1) % cfg.evalEvery! === 0);
  if (evalNow) {
    const r = await s.evaluateFinite(model, 'model');
    Object.assign(rec, { testTop1: r.top1, testTop5: r.top5, testLoss: r.loss, evalImgPerSec: r.imgPerSec });
    ev.final = r;
    if (ema && cfg.ema?.eval !== false) {
      ev.finalEma = await s.evaluateFinite(ema.ema, 'EMA model');
      Object.assign(rec, { emaTop1: ev.finalEma.top1, emaTop5: ev.finalEma.top5, emaLoss: ev.finalEma.loss });
    }
    if (s.bestTop1 === null || r.top1 > s.bestTop1) {
      s.bestTop1 = r.top1;
      await s.save(paths.best);
    }
  }
  s.log(rec);
  progress.line(
    `epoch ${epoch + 1}/${cfg.epochs} step ${s.step} train loss ${(rec.trainLoss as number).toFixed(4)}` +
      (evalNow ? ` test top-1 ${ev.final!.top1.toFixed(2)}% top-5 ${ev.final!.top5.toFixed(2)}%` : '') +
      (evalNow && ev.finalEma ? ` ema top-1 ${ev.finalEma.top1.toFixed(2)}%` : '') +
      ` (${formatSeconds((Date.now() - s.startedAt) / 1000)})`,
  );
}
