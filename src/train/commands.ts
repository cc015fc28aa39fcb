// Entry points for the CLI: `chanlab train` and `chanlab eval`.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '../core/fs.js';
import { isTorchFile } from '../interop/torch_load.js';
import { nonFiniteLines } from '../core/finite.js';
import { nonFiniteState } from '../nn/finite.js';
import { compactCheckpoint } from '../checkpoint/chex_compact.js';
import { useBackend } from '../backend/index.js';
import { loadCheckpointIntoModel } from '../checkpoint/load.js';
import { createModel } from '../zoo/index.js';
import { loadConfig, mergeConfig, validateConfig, DATASET_NAMES, type DataConfig, type DatasetName, type TrainConfig } from './config.js';
import { loadCheckpointWeights, readTrainCheckpoint } from '../checkpoint/training.js';
import { buildTestLoader } from './data.js';
import { evaluate, type EvalResult } from './evaluate.js';
import { train, type TrainResult } from './loop.js';
import { disposingAfter, explainMemoryError } from '../core/memory.js';
import { Progress } from './progress.js';

export interface TrainCommandOptions {
  /** preset name (`quick`), JSON file path, or a config object; optional with `resume` */
  config?: string | TrainConfig;
  backend?: string;
  resume?: boolean;
  /** default: runs/<preset name>-<timestamp> */
  runDir?: string;
  /** deep-merged over the config (e.g. {epochs: 1}) */
  overrides?: Record<string, unknown>;
  quiet?: boolean;
  /** worker threads loading image files (config.data.workers; default the machine's cores) */
  dataWorkers?: number;
  /** resume on another kernel path than the run ran on (src/train/resume_record.ts) */
  allowKernelChange?: boolean;
}

export async function runTrainCommand(o: TrainCommandOptions): Promise<TrainResult> {
  let config: TrainConfig | undefined;
  if (o.config !== undefined) {
    config = typeof o.config === 'string' ? loadConfig(o.config) : validateConfig(o.config);
    if (o.overrides) config = mergeConfig(config, o.overrides);
  } else if (!o.resume) {
    throw new Error('train: config is required (a preset name such as quick, or a JSON file)');
  }
  if (o.resume && !o.runDir) throw new Error('train --resume: runDir is required (the run directory to continue)');
  const name = config?.name ?? (typeof o.config === 'string' ? o.config.replace(/^.*\//, '').replace(/\.json$/, '') : 'run');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const runDir = resolve(o.runDir ?? join('runs', `${name}-${stamp}`));
  const progress = new Progress({ quiet: o.quiet });
  progress.line(`${o.resume ? 'resuming' : 'training'} ${config?.model ?? ''} → ${runDir}`);
  const r = await train({
    config, runDir, resume: o.resume, backend: o.backend, progress, allowKernelChange: o.allowKernelChange, dataWorkers: o.dataWorkers,
  });
  progress.line(
    `done in ${r.wallSeconds.toFixed(1)} s: ${r.steps} steps, test top-1 ${r.final?.top1.toFixed(2)}%` +
      (r.finalEma ? `, EMA top-1 ${r.finalEma.top1.toFixed(2)}%` : '') + (r.report ? `; ${r.report}` : '') + ` (run: ${r.runDir})`,
  );
  const stored = validateConfig(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')));
  if (stored.chex) {
    // CHEX: the explored, masked network → the official compact format next to the run's checkpoints
    const d = stored.data;
    const input = d.inputSize ?? (d.dataset === 'fashion_mnist' ? 28 : d.dataset === 'imagenet' ? 224 : d.dataset === 'synthetic' ? d.synthetic!.height : 32);
    const c = await compactCheckpoint({ model: stored.model, checkpoint: join(runDir, 'final.safetensors'), out: join(runDir, 'compact.pth.tar'), input });
    writeJsonAtomic(join(runDir, 'compact.json'), c);
    progress.line(`compact model: ${join(runDir, 'compact.pth.tar')} cfg [${c.cfg.join(',')}], MACs ${c.macsMasked} → ${c.macsCompact} ` +
      `(input ${c.inputShape.join('×')}), max |Δlogit| ${c.maxAbsDiff.toExponential(2)}`);
  }
  return r;
}

export interface EvalCommandOptions {
  /** model name; default: the one recorded in the checkpoint */
  model?: string;
  checkpoint: string;
  /** dataset name (`fashion_mnist`), `name:root`, or a data config */
  data: string | DataConfig;
  backend?: string;
  batchSize?: number;
  /** evaluate the EMA weights of a training checkpoint */
  ema?: boolean;
  /** model config overrides (default: the checkpoint's) */
  modelConfig?: Record<string, unknown>;
  /** evaluate a checkpoint whose weights hold NaN/Inf (refused by default) */
  allowNonFinite?: boolean;
  quiet?: boolean;
  /** worker threads loading image files (default the machine's cores) */
  dataWorkers?: number;
}

function parseData(d: string | DataConfig): DataConfig {
  if (typeof d !== 'string') return d;
  const i = d.indexOf(':');
  const [name, root] = i >= 0 ? [d.slice(0, i), d.slice(i + 1)] : [d, undefined];
  if (!DATASET_NAMES.includes(name as DatasetName)) {
    throw new Error(`data: unknown dataset '${name}' (expected one of ${DATASET_NAMES.join(', ')}, optionally as name:root)`);
  }
  return { dataset: name as DatasetName, ...(root ? { root } : {}) };
}

export async function runEvalCommand(o: EvalCommandOptions): Promise<EvalResult & { nonFiniteWeights: string[] }> {
  // PyTorch files (DGC/CHEX/PiX/torchvision .pth(.tar)) are evaluated through the PyTorch loader
  const torch = isTorchFile(resolve(o.checkpoint));
  if (torch && !o.model) {
    throw new Error(`eval: ${o.checkpoint}: is a PyTorch file (.pth/.pth.tar), not a chanlab training checkpoint; ` +
      'name the model to load it into (--model NAME, e.g. --model dydensenet86_cifar100)');
  }
  if (torch && o.ema) throw new Error('eval: ema applies to chanlab training checkpoints only, not to a PyTorch checkpoint');
  const ck = torch ? null : readTrainCheckpoint(resolve(o.checkpoint));
  const modelName = o.model ?? ck?.state?.model;
  if (!modelName) throw new Error(`eval: model is required (checkpoint ${o.checkpoint} does not record one)`);
  const data = parseData(o.data);
  await useBackend(o.backend);
  const batchSize = o.batchSize ?? 256;
  const { test, numClasses, imageShape, close } = buildTestLoader({ ...data, prefetch: 0 }, { batchSize, seed: 0, dataWorkers: o.dataWorkers });
  const cfg = o.modelConfig ?? (ck?.state && ck.state.model === modelName ? ck.state.modelConfig : { numClasses, inChannels: imageShape ? imageShape[2] : 3 });
  const modelClasses = typeof cfg.numClasses === 'number' ? cfg.numClasses : null;
  if (modelClasses !== null && numClasses > modelClasses) {
    throw new Error(`eval: data set ${data.dataset} has ${numClasses} classes (labels 0..${numClasses - 1}) but model '${modelName}' of ` +
      `${o.checkpoint} has ${modelClasses}; expected a data set with at most ${modelClasses} classes`);
  }
  const model = createModel(modelName, cfg);
  try {
    return await disposingAfter(model, async () => {
      if (ck) loadCheckpointWeights(model, ck, o.ema ? 'ema' : 'model', modelName, { allowNonFinite: o.allowNonFinite });
      else loadCheckpointIntoModel(model, resolve(o.checkpoint), { allowNonFinite: o.allowNonFinite });
      const weights = o.allowNonFinite ? await nonFiniteState(model) : [];
      const progress = new Progress({ quiet: o.quiet });
      let r: EvalResult;
      try {
        r = await evaluate(model, test, { onBatch: (d, t) => progress.update(0, 1, d, t, 'evaluating'), dataName: `data set ${data.dataset}` });
      } catch (e) {
        throw explainMemoryError(e, '--batch-size', batchSize, 'evaluation');
      }
      // the result and what was non-finite are printed even with quiet (which only silences progress)
      const say = (l: string) => (o.quiet ? console.log(l) : progress.line(l));
      say(`${modelName}${o.ema ? ' (EMA)' : ''} on ${data.dataset}: top-1 ${r.top1.toFixed(2)}% top-5 ${r.top5.toFixed(2)}% ` +
        `loss ${r.loss.toFixed(4)} (${r.samples} images, ${r.imgPerSec.toFixed(0)} img/s)`);
      // the same lines as predict and gradcam; non-finite logits count as wrong
      for (const l of nonFiniteLines({ weights, outputs: { count: r.nonFinite }, samples: r.samples, outputName: 'logits (counted as wrong)' })) say(l);
      return { ...r, nonFiniteWeights: weights };
    });
  } finally {
    await close();
  }
}
