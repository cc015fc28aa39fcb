// The training loop: model + data + optimiser + schedule + loss (+ EMA, gradient accumulation), JSONL metrics,
// atomic checkpoints after every epoch (and every `checkpointEvery` steps), exact resume.
//
// Run directory: config.json (resolved config), manifest.json, metrics.jsonl, last.safetensors (latest state),
// best.safetensors (best test top-1), final.safetensors (state at the end), run.lock while a process runs it.
// Phases: setup and resume (setup.ts, resume.ts), steps and evaluation (epoch.ts, step.ts), checkpoints
// (session.ts), stop (stop.ts): data is checked before training; a non-finite loss or weights stop the run
// ('diverged') and nothing non-finite is saved or promoted to best; SIGINT/SIGTERM checkpoint and stop
// ('interrupted'); any other error ends it 'failed'; the manifest always records the final state.
// Exactness of resume: the data order and augmentation are functions of (seed, epoch, batch) (src/data/loader.ts);
// the global generator (dropout masks) is saved; optimiser slots, EMA, BN buffers and the step (= schedule position)
// are saved. On cpu and wasm a resumed run therefore ends bit-identical to an uninterrupted one.
import { resolve } from 'node:path';
import { writeJsonAtomic } from '../core/fs.js';
import { useBackend } from '../backend/index.js';
import type { TrainConfig } from './config.js';
import { endEpoch, trainEpoch, type EpochEvaluation, type LogWindow, type StepHooks } from './epoch.js';
import type { EvalResult } from './evaluate.js';
import type { RunStatus } from './manifest.js';
import { explainMemoryError } from './memory.js';
import { Progress } from './progress.js';
import { restoreCheckpoint, startRun } from './resume.js';
import { TrainSession } from './session.js';
import { buildParts, claimRunDir, resolveRun } from './setup.js';
import { InterruptedError, RunStopped, StopRequest } from './stop.js';

export type { TrainHooks } from './hooks.js';
export { runPaths } from './run_dir.js';

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
  /** worker threads loading image files (overrides config.data.workers; results do not depend on it) */
  dataWorkers?: number;
  /** resume on another kernel path than the run ran on (not exact; recorded in the manifest) */
  allowKernelChange?: boolean;
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

/** Records how the run ended in its manifest (this process's wall time added to the earlier ones'). */
function finish(s: TrainSession, status: RunStatus, message?: string): void {
  const m = s.manifest;
  if (!m) return;
  m.status = status;
  if (message !== undefined) m.message = message;
  else delete m.message;
  m.endTime = new Date().toISOString();
  m.wallSeconds = (m.wallSeconds ?? 0) + (Date.now() - s.startedAt) / 1000;
  writeJsonAtomic(s.parts.paths.manifest, m);
}

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const t0 = Date.now();
  const runDir = resolve(opts.runDir);
  const progress = opts.progress ?? new Progress();
  // setup: what to run (checked before any work), the backend, then everything built in a fixed order
  const { cfg, fromCheckpoint } = resolveRun(runDir, opts, progress);
  const backend = await useBackend(opts.backend ?? cfg.backend);
  const s = new TrainSession(await buildParts(cfg, runDir, progress, opts.dataWorkers), t0);
  let claimed: ReturnType<typeof claimRunDir>;
  try {
    claimed = claimRunDir(runDir, { resume: opts.resume, fromCheckpoint, backend, allowKernelChange: opts.allowKernelChange }, progress);
  } catch (e) {
    s.dispose();
    throw e;
  }
  const stop = new StopRequest({
    signals: opts.handleSignals ?? true, abort: opts.signal,
    onForce: (sig) => {
      try {
        finish(s, 'interrupted', `stopped by ${sig} during step ${s.step + 1}; resume from the last checkpoint with --resume`);
      } finally {
        claimed.release();
      }
    },
  });
  try {
    if (claimed.checkpoint) restoreCheckpoint(s, claimed.checkpoint, claimed.manifest!, backend);
    else startRun(s, backend, opts.resume === true);
    writeJsonAtomic(s.parts.paths.manifest, s.manifest);
    const r = await runEpochs(s, stop, opts.onStep);
    finish(s, 'finished');
    return r;
  } catch (e0) {
    const e = explainMemoryError(e0, 'batchSize', cfg.batchSize, 'training');
    const err = e instanceof Error ? e : new Error(String(e));
    if (err instanceof RunStopped) finish(s, err.status, err.message);
    else finish(s, 'failed', err.message);
    throw err;
  } finally {
    stop.dispose();
    claimed.release();
    s.dispose();
  }
}

/** Epochs until the run's steps are done, then the final evaluation, report and checkpoints. */
async function runEpochs(s: TrainSession, stop: StopRequest, onStep: TrainOptions['onStep']): Promise<TrainResult> {
  const { cfg, model, ema, hooks, loaders, paths, runDir, totalSteps } = s.parts;
  const w: LogWindow = { start: performance.now(), samples: 0, loss: await s.meter.flush(), lossSamples: s.meter.samples, waitMs: 0, step: s.step };
  const interrupt = async (epoch: number): Promise<never> => {
    await s.save(paths.last);
    throw new InterruptedError(`interrupted by ${stop.reason === 'abort' ? 'the caller' : stop.reason} at step ${s.step} ` +
      `(epoch ${epoch + 1}); checkpoint saved in ${paths.last}; continue with --resume`, stop.reason ?? 'abort');
  };
  const stepHooks: StepHooks = { onStep, stopRequested: () => stop.requested, interrupt };
  const ev: EpochEvaluation = { final: null, finalEma: null };
  while (s.step < totalSteps && loaders.train.state().epoch < cfg.epochs) {
    const epoch = loaders.train.state().epoch;
    if (loaders.train.state().position === 0) {
      s.meter.reset();
      [w.loss, w.lossSamples] = [0, 0];
      const rec = hooks.onEpochStart?.(epoch);
      if (rec) s.log({ epoch, step: s.step, ...rec });
    }
    model.train();
    const epochStart = performance.now();
    const samples = await trainEpoch(s, epoch, w, stepHooks);
    const done = s.step >= totalSteps;
    await endEpoch(s, epoch, epochStart, samples, done, ev);
    await s.save(paths.last, done);
    if (done) break;
    if (stop.requested) await interrupt(epoch + 1);
  }
  if (!ev.final) {
    // resumed a finished run, or nothing to do: evaluate what there is
    await s.assertFinite();
    ev.final = await s.evaluateFinite(model, 'model');
    if (ema) ev.finalEma = await s.evaluateFinite(ema.ema, 'EMA model');
  }
  const report = hooks.finalReport ? await hooks.finalReport() : undefined;
  if (report !== undefined) s.log({ type: 'report', step: s.step, report });
  await s.save(paths.final, true);
  await s.save(paths.last, true);
  const wallSeconds = (Date.now() - s.startedAt) / 1000;
  s.manifest!.result = { steps: s.step, testTop1: ev.final.top1, testTop5: ev.final.top5, emaTop1: ev.finalEma?.top1 ?? null, bestTop1: s.bestTop1 };
  return { runDir, steps: s.step, final: ev.final, finalEma: ev.finalEma, bestTop1: s.bestTop1, wallSeconds, ...(report !== undefined ? { report } : {}) };
}
