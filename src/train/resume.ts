// The start of a run's work: continue from a checkpoint (weights, EMA, optimiser slots, method state, the loader's
// position, the global generator, the step, the epoch's loss sum; metrics logged after the checkpoint are dropped,
// they will be logged again) or begin a new run (config.json, manifest, empty metrics).
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import type { BackendName } from '../backend/index.js';
import { initGenerator } from '../nn/init.js';
import { loadCheckpointWeights, loadOptimizer, readExtraState, type LoadedCheckpoint } from '../checkpoint/training.js';
import { writeFileAtomic, writeJsonAtomic } from '../core/fs.js';
import { makeManifest, type Manifest } from './manifest.js';
import { resumeRecord } from './resume_record.js';
import { readMetrics } from './run_dir.js';
import type { TrainSession } from './session.js';

/** Restores the session from `ck` (last.safetensors) and records the resume in `manifest`. */
export function restoreCheckpoint(s: TrainSession, ck: LoadedCheckpoint, manifest: Manifest, backend: BackendName): void {
  const { cfg, paths, model, ema, opt, hooks, loaders, progress, runDir } = s.parts;
  const st = ck.state!;
  s.manifest = manifest; // first: a resume that fails below (non-finite weights, another model) is recorded as failed
  if (st.model !== cfg.model) throw new Error(`resume: ${paths.last} was written for model '${st.model}', the config names '${cfg.model}'`);
  loadCheckpointWeights(model, ck, 'model', cfg.model);
  if (ema) {
    loadCheckpointWeights(ema.ema, ck, 'ema', cfg.model);
    ema.updates = st.emaUpdates;
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
  loaders.train.loadState(st.loader);
  initGenerator().setState(st.rng);
  s.step = st.step;
  s.lastSaved = st.step;
  s.bestTop1 = st.bestTop1;
  s.meter.reset(st.epochLossSum, st.epochSamples);
  manifest.resumes.push(resumeRecord(manifest, st.step, backend));
  manifest.status = 'running';
  delete manifest.message;
  if (existsSync(paths.metrics)) {
    // method records (CHEX's) are logged at an epoch start, before its first step: one at the checkpoint's step
    // belongs to the epoch start that is redone
    const kept = readMetrics(paths.metrics).filter((l) => {
      const r = l.record as { step?: number; type?: string };
      return (r.step ?? 0) < st.step || ((r.step ?? 0) === st.step && (r.type === 'step' || r.type === 'epoch'));
    });
    writeFileAtomic(paths.metrics, kept.map((l) => `${l.line}\n`).join(''));
  }
  progress.line(`resuming ${runDir} at step ${st.step} (epoch ${st.loader.epoch + 1}, batch ${st.loader.position})`);
}

/** Writes a new run's config.json, manifest and empty metrics (a --resume of a run without a checkpoint is recorded). */
export function startRun(s: TrainSession, backend: string, resumeRequested: boolean): void {
  const { cfg, paths } = s.parts;
  writeJsonAtomic(paths.config, cfg);
  const manifest = makeManifest(cfg, cfg.seed, backend);
  if (resumeRequested) manifest.resumes.push({ time: manifest.startTime, step: 0 });
  s.manifest = manifest;
  writeFileAtomic(paths.metrics, '');
}
