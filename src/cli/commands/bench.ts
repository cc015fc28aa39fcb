import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { releaseBackends } from '../../backend/index.js';
import { benchConvKernels, type ConvBenchRow } from '../../bench/conv.js';
import { benchData } from '../../bench/data.js';
import { benchDgc, benchDgcModels, dgcModelCases, type DgcBenchRow, type DgcModelBenchRow } from '../../bench/dgc.js';
import { benchPix, type PixBenchRow } from '../../bench/pix.js';
import { benchTrainStep } from '../../bench/train_step.js';
import { DEFAULT_BENCH_BACKENDS, restoreDefaultKernels, useBenchBackend } from '../../bench/variants.js';
import { writeJsonAtomic } from '../../core/fs.js';
import { compareLatency, type LatencyComparison } from '../../latency/latency.js';
import { formatKernelProfile } from '../../latency/profile.js';
import { parse, type Options } from '../args.js';
import { fmt, table } from '../table.js';

const SECTIONS = ['train', 'conv', 'pix', 'dgc', 'latency', 'data'] as const;
type Section = (typeof SECTIONS)[number];

export const summary = 'Benchmarks training steps, kernels, latency and the data pipeline, each as a ratio against a reference of the same run.';

export const help = `chanlab bench [--only train,conv,pix,dgc,latency,data] [--backends wasm,wasm+native,webgpu,cpu] [--quick] [--out bench/results]
  Benchmarks, each reported as a ratio against a reference measured in the same run: the training step per backend
  vs PyTorch CPU (same model and batch), conv kernels (forward vs gradients), the PiX op's custom kernels vs the
  stock-op composite (and vs copy bandwidth), a DGC layer and DGC models vs their dense twins (training step; eval
  kept channels vs masked vs dense inference at kept 0.25 / 0.45), PiX-ResNet-50 vs ResNet-50 latency, and the data
  pipeline (img/s of chanlab's loader vs torchvision's DataLoader at equal workers, three pipelines;
  [--data-images 512] [--data-workers 1,2,…]). Prints tables, writes JSON.
  'wasm' is the pure wasm kernels, 'wasm+native' the wasm backend with the native oneDNN/C++ kernels.
  Training-step options: [--model resnet20_small] [--batch 32] [--size 32] [--steps 5]. Latency: [--runs 20].
  WebGPU runs the quick sizes (software WebGPU is slow) unless --full (on a real GPU). The PyTorch reference runs on
  CHANLAB_TORCH_DEVICE=cpu|cuda with CHANLAB_TORCH_PYTHON (default /usr/bin/python3).
  --profile: also one training step per backend kernel by kernel (on webgpu: GPU time per kernel from timestamp
  queries, and dispatches, queue submits, read-backs and uploads per step); kernels by name and shape, with shares.`;

function sectionList(s: string | undefined): Section[] {
  if (!s) return [...SECTIONS];
  const out = s.split(',').map((x) => x.trim()).filter(Boolean);
  for (const x of out) {
    if (!(SECTIONS as readonly string[]).includes(x)) throw new Error(`bench: --only: unknown section '${x}' (expected ${SECTIONS.join(', ')})`);
  }
  return out as Section[];
}

/** Every option of the command (each one is named in `help`: test/cli/help.test.ts checks). */
export const options: Options = {
  only: { type: 'string' }, backends: { type: 'string' }, model: { type: 'string' }, batch: { type: 'string' },
  size: { type: 'string' }, steps: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' }, quick: { type: 'boolean' },
  full: { type: 'boolean' }, profile: { type: 'boolean' }, 'data-images': { type: 'string' }, 'data-workers': { type: 'string' },
};

export async function run(argv: string[]): Promise<number> {
  const a = parse('bench', argv, options);
  if (a.help) return console.log(help), 0;
  const quick = a.flag('quick');
  // software WebGPU (lavapipe) takes minutes per iteration at full size: quick sizes there unless --full (a real GPU)
  const small = (b: string) => quick || (b === 'webgpu' && !a.flag('full'));
  const sections = sectionList(a.str('only'));
  const backends = (a.str('backends') ?? DEFAULT_BENCH_BACKENDS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const gpuBackends = backends.filter((b) => b !== 'cpu');
  const started = new Date();
  const result: Record<string, unknown> = {
    kind: 'chanlab-bench',
    started: started.toISOString(),
    hardware: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    node: process.version,
  };
  try {
    if (sections.includes('train')) {
      const r = await benchTrainStep(backends, {
        ...(a.str('model') ? { model: a.need('model') } : {}),
        batch: a.int('batch', 32), size: a.int('size', 32), steps: a.int('steps', quick ? 2 : 5), warmup: quick ? 1 : 2,
      }, a.flag('profile'));
      result.trainStep = r;
      console.log(`\nTraining step (forward + backward + SGD): ${r.options.model}, batch ${r.options.batch}, ` +
        `${r.options.size}×${r.options.size}×${r.options.inChannels}, ${fmt(r.trainFlopsPerImage / 1e6, 1)} MFLOP/image (3 × forward conv+fc)`);
      console.log(table(['backend', 'batch', 'ms/step', 'img/s', 'GFLOP/s', '× PyTorch', 'note'], r.rows.map((x) => [
        x.backend, x.batch, fmt(x.medianMs, 1), fmt(x.imgPerS, 1), fmt(x.gflops, 2), x.vsTorch === null ? '—' : fmt(x.vsTorch, 3), x.note,
      ])));
      if (r.torchError) console.log(`PyTorch reference unavailable: ${r.torchError}`);
      for (const p of r.profiles) {
        console.log('\n' + formatKernelProfile(`Training step profile: ${r.options.model}, batch ${r.options.batch}, ${p.variant}`, p, 0.05, 'step'));
      }
    }
    if (sections.includes('conv')) {
      const rows: Array<ConvBenchRow & { backend: string }> = [];
      for (const b of gpuBackends) {
        await useBenchBackend(b);
        for (const row of await benchConvKernels({ quick: small(b) })) rows.push({ backend: b, ...row });
      }
      result.conv = rows;
      console.log('\nConvolution kernels (same FLOP count per row; gradient kernels vs forward)');
      console.log(table(['backend', 'op', 'shape', 'ms', 'GFLOP/s'], rows.map((r) => [r.backend, r.op, r.shape, fmt(r.ms, 2), fmt(r.gflops, 2)])));
    }
    if (sections.includes('pix')) {
      const rows: PixBenchRow[] = [];
      for (const b of gpuBackends) {
        await useBenchBackend(b);
        rows.push(...(await benchPix({ quick: small(b) })).map((r) => ({ ...r, backend: b })));
      }
      result.pix = rows;
      console.log('\nPiX op forward + backward: custom kernels vs the stock-op composite on the same backend (ζ=4, C=512)');
      console.log(table(['backend', 'size', 'custom ms', 'composite ms', 'speedup', 'fwd ms', 'bwd ms', 'GB/s f+b', 'fwd GB/s',
        'bwd GB/s', 'copy GB/s', 'native copy GB/s', 'fwd ÷ best copy', 'bwd ÷ best copy'],
        rows.map((r) => [
          r.backend, r.size, fmt(r.customMs, 1), fmt(r.compositeMs, 1), fmt(r.speedup, 1), fmt(r.forwardMs, 2),
          fmt(r.backwardMs, 2), fmt(r.effectiveGBps, 2), fmt(r.forwardGBps, 2), fmt(r.backwardGBps, 2), fmt(r.copyGBps, 2),
          r.nativeCopyGBps === null ? '—' : fmt(r.nativeCopyGBps, 2),
          fmt(r.forwardGBps / r.bestCopyGBps, 2), fmt(r.backwardGBps / r.bestCopyGBps, 2),
        ])));
      const timed = rows.filter((r) => r.gpu !== null);
      if (timed.length) {
        console.log('\nPiX kernels by GPU timestamps vs a raw WGSL copy of x timed the same way');
        console.log(table(['backend', 'size', 'fwd GPU ms', 'bwd GPU ms', 'copy GPU ms', 'fwd GB/s', 'bwd GB/s', 'copy GB/s', 'f+b ÷ copy'],
          timed.map((r) => [r.backend, r.size, fmt(r.gpu!.forwardMs, 3), fmt(r.gpu!.backwardMs, 3), fmt(r.gpu!.copyMs, 3),
            fmt(r.gpu!.forwardGBps, 1), fmt(r.gpu!.backwardGBps, 1), fmt(r.gpu!.copyGBps, 1), fmt(r.gpu!.ratio, 2)])));
      }
    }
    if (sections.includes('dgc')) {
      const rows: DgcBenchRow[] = [];
      const models: DgcModelBenchRow[] = [];
      for (const b of backends) {
        await useBenchBackend(b);
        // the pure-JS cpu backend (the kernels' reference) is ~100× slower: batch 2, 2 iterations, 1/4 of the size
        const o = b === 'cpu' ? { quick: true, batch: 2, iters: 2, downscale: 4 } : { quick: small(b) };
        rows.push(...(await benchDgc(o)).map((r) => ({ ...r, backend: b })));
        // whole models: not on the pure-JS cpu backend; on webgpu (lavapipe) the small set
        // pure wasm trains DGC in the masked form, whose tape outgrows wasm32's 4 GB heap for DyDenseNet-86 at batch 16
        // (2.8 GB at batch 8; tfjs's wasm malloc then fails silently and the heap is corrupted): no training column there
        const cases = dgcModelCases(small(b) || b === 'webgpu').map((c) => (b === 'wasm' && (c.train ?? 0) > 8 ? { ...c, train: null } : c));
        if (b !== 'cpu') models.push(...(await benchDgcModels({ quick: small(b), cases })).map((r) => ({ ...r, backend: b })));
      }
      result.dgc = rows;
      result.dgcModels = models;
      console.log('\nDGC layer vs the dense twin\'s layer (BN → ReLU → conv of the same shape) at the end-of-training sparsity: training step (kept-channel op where the backend has it; masked = the official form), eval forward at batch B and 1 (kept channels only where the backend has the kernel; masked), FLOPs = conv + fc MACs');
      console.log(table(['backend', 'layer', 'batch', 'kept', 'FLOPs ratio', 'kernels eval/train', 'train ms', 'masked train ms', 'dense train ms', 'train / dense', 'kept ms', 'masked ms', 'dense ms', 'kept / dense', 'kept / masked', 'b1 kept', 'b1 masked', 'b1 dense', 'b1 kept / dense'], rows.map((r) => [
        r.backend, r.layer, r.batch, fmt(r.kept, 2), fmt(r.flopsRatio, 3), `${r.evalKernel ? 'yes' : 'no'}/${r.trainKernel ? 'yes' : 'no'}`,
        fmt(r.trainMs, 1), fmt(r.maskedTrainMs, 1), fmt(r.denseTrainMs, 1), fmt(r.trainMs / r.denseTrainMs, 2),
        fmt(r.keptMs, 2), fmt(r.maskedMs, 2), fmt(r.denseMs, 2), fmt(r.keptMs / r.denseMs, 2), fmt(r.keptMs / r.maskedMs, 2),
        fmt(r.keptMs1, 3), fmt(r.maskedMs1, 3), fmt(r.denseMs1, 3), fmt(r.keptMs1 / r.denseMs1, 2),
      ])));
      console.log('\nDGC models at their end-of-training sparsity vs their dense twins (eval forward median ms; training step forward + backward + SGD)');
      console.log(table(['backend', 'model', 'twin', 'input', 'batch', 'FLOPs ratio', 'kept ms', 'masked ms', 'twin ms', 'kept / twin', 'masked / twin', 'train ms', 'twin train ms', 'train / twin'], models.map((r) => [
        r.backend, r.model, r.twin, r.input, r.batch, fmt(r.flopsRatio, 3), fmt(r.keptMs, 2), fmt(r.maskedMs, 2), fmt(r.twinMs, 2),
        fmt(r.keptMs / r.twinMs, 3), fmt(r.maskedMs / r.twinMs, 3), r.trainMs === null ? '—' : fmt(r.trainMs, 1),
        r.twinTrainMs === null ? '—' : fmt(r.twinTrainMs, 1), r.trainMs === null || r.twinTrainMs === null ? '—' : fmt(r.trainMs / r.twinTrainMs, 3),
      ])));
    }
    if (sections.includes('latency')) {
      const rows: LatencyComparison[] = [];
      for (const b of gpuBackends) {
        const runs = a.int('runs', quick ? 5 : b === 'webgpu' ? 10 : 20);
        const name = await useBenchBackend(b);
        const c = await compareLatency('resnet50', 'pix_resnet50_cs', { backend: name, runs, warmup: quick ? 1 : 5 });
        rows.push({ ...c, a: { ...c.a, backend: b }, b: { ...c.b, backend: b } });
      }
      result.latency = rows;
      console.log('\nLatency, batch 1, 224², fp32 (official PiX method): PiX-ResNet-50 vs ResNet-50');
      console.log(table(['backend', 'runs', 'ResNet-50 ms (median)', 'PiX-ResNet-50 ms (median)', 'PiX / ResNet-50'], rows.map((c) => [
        c.a.backend, c.a.runs, fmt(c.a.medianMs, 1), fmt(c.b.medianMs, 1), fmt(c.b.medianMs / c.a.medianMs, 3),
      ])));
    }
    if (sections.includes('data')) {
      const list = a.str('data-workers')?.split(',').map((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new Error(`bench: --data-workers: expected positive integers separated by commas, got '${a.str('data-workers')}'`);
        return n;
      });
      const r = await benchData({ quick, images: a.str('data-images') ? a.int('data-images', 512) : undefined, workers: list });
      result.data = r.rows;
      result.dataOptions = { images: r.images, batch: r.batch, rounds: r.rounds, decoder: r.decoder };
      console.log(`\nData pipeline: img/s of ImageFolder + DataLoader, chanlab (${r.decoder}) vs torchvision (Pillow), ` +
        `${r.images} photos at ImageNet sizes, batch ${r.batch}, equal workers (steady-state epoch, best of ${r.rounds})`);
      console.log(table(['pipeline', 'workers', 'chanlab img/s', 'torchvision img/s', 'chanlab / torchvision'], r.rows.map((x) => [
        x.pipeline, x.workers, fmt(x.chanlabImgPerS, 1), x.torchImgPerS === null ? '—' : fmt(x.torchImgPerS, 1), x.ratio === null ? '—' : fmt(x.ratio, 2),
      ])));
      if (r.torchError) console.log(`torchvision reference unavailable: ${r.torchError}`);
    }
  } finally {
    restoreDefaultKernels();
    releaseBackends();
  }
  result.wallSeconds = (Date.now() - started.getTime()) / 1000;
  const out = join(a.str('out') ?? 'bench/results', `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeJsonAtomic(out, result);
  console.log(`\nwrote ${out}`);
  return 0;
}
