// Data pipeline benchmark: img/s of chanlab's ImageFolder + DataLoader (worker threads, native decoding) against
// torchvision's ImageFolder + DataLoader (Pillow, num_workers equal to chanlab's workers; scripts/bench/torch_data.py)
// on the same folder of photos at ImageNet sizes (333–500 × 220–665 JPEGs, 4:2:0, quality 85–95, made from the two
// photos of Debian's python3-sklearn by scripts/fixtures/make_image_fixtures.py into a temporary folder), for the
// three pipelines: train (RandomResizedCrop 224 + flip + normalise), train with RandAugment m7 + RandomErasing 0.25
// (the PiX LAMB recipe) and eval (resize 256 + centre crop 224 + normalise). Both sides run one warm-up epoch (which
// starts the workers) and time the second; the two sides alternate `rounds` times and each keeps its best (load from
// other processes only ever slows a measurement down).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { imageDecoderName } from '../data/decode.js';
import { ImageFolder } from '../data/image_folder.js';
import { DataLoader } from '../data/loader.js';
import { imagenetEvalTransform, imagenetTrainTransform } from '../data/presets.js';
import type { Transform } from '../data/transform_spec.js';

export const DATA_PIPELINES = ['train', 'train_ra_re', 'eval'] as const;
export type DataPipeline = (typeof DATA_PIPELINES)[number];

export interface DataBenchRow {
  pipeline: DataPipeline;
  workers: number;
  chanlabImgPerS: number;
  /** null when the torchvision reference could not run (torchError says why) */
  torchImgPerS: number | null;
  /** chanlabImgPerS / torchImgPerS */
  ratio: number | null;
}

export interface DataBenchOptions {
  /** photos in the folder (default 512; quick 96) */
  images?: number;
  batch?: number;
  /** worker counts (default 1, 2, 4, … up to the cores, and the cores) */
  workers?: number[];
  quick?: boolean;
  /** measurements per side, alternating, best kept (default 2; quick 1) */
  rounds?: number;
}

const PY = () => process.env.CHANLAB_TORCH_PYTHON || '/usr/bin/python3';

function transformFor(p: DataPipeline): Transform {
  if (p === 'eval') return imagenetEvalTransform();
  return imagenetTrainTransform(p === 'train_ra_re' ? { randAugment: 'rand-m7-mstd0.5-inc1', randomErasing: 0.25 } : {});
}

/** 1, 2, 4, … below the core count, and the core count. */
export function defaultWorkerCounts(cores = availableParallelism()): number[] {
  const out: number[] = [];
  for (let w = 1; w < cores; w *= 2) out.push(w);
  out.push(cores);
  return out;
}

async function chanlabImgPerS(root: string, p: DataPipeline, workers: number, batch: number): Promise<number> {
  const loader = new DataLoader({
    dataset: new ImageFolder({ root }), batchSize: batch, shuffle: p !== 'eval', seed: 0, transform: transformFor(p), workers,
  });
  try {
    for await (const _ of loader) void _; // warm-up epoch: starts the workers
    const t0 = performance.now();
    let n = 0;
    for await (const b of loader) n += b.y.length;
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await loader.close();
  }
}

function torchImgPerS(root: string, p: DataPipeline, workers: number, batch: number): number | { error: string } {
  const script = 'scripts/bench/torch_data.py';
  if (!existsSync(script)) return { error: `${script} not found (run from the chanlab repository root)` };
  const r = spawnSync(PY(), [script, root, p, String(workers), String(batch)], { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').slice(-1)[0]! };
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { img_per_s: number }).img_per_s;
}

export async function benchData(o: DataBenchOptions = {}): Promise<{ rows: DataBenchRow[]; images: number; batch: number; rounds: number; decoder: string; torchError: string | null }> {
  const images = o.images ?? (o.quick ? 96 : 512);
  const batch = o.batch ?? 32;
  const workers = o.workers ?? (o.quick ? [1, 2] : defaultWorkerCounts());
  const dir = mkdtempSync(path.join(tmpdir(), 'chanlab-bench-data-'));
  try {
    const made = spawnSync(PY(), ['scripts/fixtures/make_image_fixtures.py', 'folder', dir, String(images), '8'], { encoding: 'utf8' });
    if (made.status !== 0) {
      throw new Error(`bench data: cannot make the photo folder (scripts/fixtures/make_image_fixtures.py, needs python3-pil and python3-sklearn): ${(made.stderr || made.error?.message || '').trim().split('\n').slice(-1)[0]}`);
    }
    const rows: DataBenchRow[] = [];
    let torchError: string | null = null;
    const rounds = o.rounds ?? (o.quick ? 1 : 2);
    for (const p of DATA_PIPELINES) {
      for (const w of workers) {
        let mine = 0;
        let t: number | null = null;
        for (let r = 0; r < rounds; r++) {
          mine = Math.max(mine, await chanlabImgPerS(dir, p, w, batch));
          const ref = torchImgPerS(dir, p, w, batch);
          if (typeof ref !== 'number') torchError = ref.error;
          else t = Math.max(t ?? 0, ref);
        }
        rows.push({ pipeline: p, workers: w, chanlabImgPerS: mine, torchImgPerS: t, ratio: t === null ? null : mine / t });
      }
    }
    return { rows, images, batch, rounds, decoder: imageDecoderName(), torchError };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
