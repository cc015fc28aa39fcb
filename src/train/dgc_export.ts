// A chanlab DGC run back to the official training script's checkpoint format (docs/methods/dgc.md §5):
// {'state_dict' ('module.' keys, _inactive_channels included), 'epoch', 'best_prec1', 'optimizer'} — what
// `torch.load` + `model.load_state_dict` / `optimizer.load_state_dict` of the official main.py resume from.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { warnOnce } from '../core/warn.js';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { saveDgcCheckpoint, type DgcCheckpointMeta } from '../checkpoint/dgc.js';
import { loadCheckpointWeights, readTrainCheckpoint } from '../checkpoint/training.js';
import { dgcLayers } from '../methods/dgc/hooks.js';
import { createModel } from '../zoo/index.js';
import type { OptimizerConfig } from './config.js';
import { readLockOwner } from '../core/lock.js';
import { lockHolder, runPaths } from './run_dir.js';

/** A warning when the run holding `ckPath` has not finished (its checkpoint is from mid-run), else null. */
function unfinishedRun(ckPath: string, step: number, epoch: number, best: number | null): string | null {
  const dir = dirname(ckPath);
  const p = runPaths(dir);
  if (!existsSync(p.manifest)) return null;
  let status: unknown;
  try {
    status = (JSON.parse(readFileSync(p.manifest, 'utf8')) as { status?: unknown }).status;
  } catch {
    return null;
  }
  if (status === 'finished') return null;
  const lock = readLockOwner(p.lock);
  const state = status !== 'running' ? `manifest status '${String(status)}'`
    : lockHolder(dir) ? `still running in process ${lockHolder(dir)!.pid}`
    : `manifest 'running' but its process${lock ? ` ${lock.pid}` : ''} is gone (crashed or killed)`;
  return `dgc export: the run in ${dir} has not finished (${state}): exporting its checkpoint at step ${step}, ` +
    `epoch ${epoch}${best === null ? ', best_prec1 0 (no evaluation yet)' : ''}`;
}

export interface DgcExportOptions {
  /** a run directory, or a chanlab training checkpoint (.safetensors) inside one */
  from: string;
  /** which checkpoint of a run directory: 'last' (default), 'best' or 'final' */
  which?: 'last' | 'best' | 'final';
  /** the .pth.tar to write */
  out: string;
}

export interface DgcExportResult {
  checkpoint: string;
  model: string;
  epoch: number;
  bestPrec1: number;
  dgcLayers: number;
  /** momentum buffers written into 'optimizer' (null: no optimizer entry, and why) */
  momentumBuffers: number | null;
  note: string;
}

function checkpointPath(o: DgcExportOptions): string {
  if (!existsSync(o.from)) throw new Error(`dgc export: from: ${o.from} does not exist (expected a run directory or a checkpoint file)`);
  if (statSync(o.from).isFile()) {
    if (o.which !== undefined) throw new Error(`dgc export: --which picks a checkpoint of a run directory; ${o.from} is a file`);
    return o.from;
  }
  const which = o.which ?? 'last';
  if (!['last', 'best', 'final'].includes(which)) throw new Error(`dgc export: which must be 'last', 'best' or 'final', got '${which}'`);
  const p = runPaths(o.from)[which];
  if (!existsSync(p)) throw new Error(`dgc export: ${o.from} has no ${which}.safetensors (a run directory with a checkpoint expected)`);
  return p;
}

function runOptimizer(ckPath: string): OptimizerConfig | null {
  const cfg = join(dirname(ckPath), 'config.json');
  if (!existsSync(cfg)) return null;
  const c = JSON.parse(readFileSync(cfg, 'utf8')) as { optimizer?: OptimizerConfig };
  return c.optimizer ?? null;
}

export function exportDgcRun(o: DgcExportOptions): DgcExportResult {
  const path = checkpointPath(o);
  const ck = readTrainCheckpoint(path);
  if (!ck.state) throw new Error(`dgc export: ${path} holds plain weights without a training state (model name, epoch); expected a chanlab run checkpoint`);
  const s = ck.state;
  const unfinished = s.finished ? null : unfinishedRun(path, s.step, Math.max(0, s.loader.epoch - 1), s.bestTop1);
  if (unfinished) warnOnce(unfinished);
  const model = createModel(s.model, s.modelConfig);
  const slots = new Map<string, tf.Tensor>();
  try {
    loadCheckpointWeights(model, ck, 'model', s.model);
    const layers = dgcLayers(model).length;
    if (layers === 0) throw new Error(`dgc export: model '${s.model}' of ${path} has no DGC layers (the official DGC format is for DGC models)`);
    // 'epoch': the last completed epoch, 0-based (main.py resumes at epoch + 1)
    const epoch = Math.max(0, s.loader.epoch - 1);
    const bestPrec1 = s.bestTop1 ?? 0;
    const meta: DgcCheckpointMeta = { epoch, bestPrec1 };
    const opt = runOptimizer(path);
    let momentumBuffers: number | null = null;
    let note: string;
    if (opt?.kind === 'sgd') {
      for (const [k, t] of ck.file.tensors) {
        if (k.startsWith('optim.') && k.endsWith('.momentum_buffer')) slots.set(k.slice('optim.'.length), tf.tensor(t.data, t.shape, 'float32'));
      }
      momentumBuffers = slots.size;
      meta.optimizer = {
        hyper: { lr: opt.lr, momentum: opt.momentum ?? 0, dampening: opt.dampening ?? 0, weightDecay: opt.weightDecay ?? 0, nesterov: opt.nesterov ?? false },
        slots,
      };
      note = `optimizer: SGD state_dict with ${slots.size} momentum buffers (param_groups lr = the base lr; main.py sets lr every iteration)`;
    } else {
      note = opt ? `no 'optimizer' entry: the run used ${opt.kind}, not SGD` : `no 'optimizer' entry: no config.json next to ${path}`;
    }
    saveDgcCheckpoint(model, o.out, meta);
    return { checkpoint: path, model: s.model, epoch, bestPrec1, dgcLayers: layers, momentumBuffers, note };
  } finally {
    tf.dispose([...slots.values()]);
    model.dispose();
  }
}
