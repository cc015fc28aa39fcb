#!/usr/bin/env node
// Writes manifest.json for a validate.sh results folder: what ran (status of every step), on what (device, driver,
// Dawn adapter, node, code), and a summary of the numbers with the targets — all read from the result files
// the run wrote; nothing here is typed in. Plain node, no dependencies (it runs on the GPU machine).
//   node scripts/gpu/manifest.mjs RESULTS_DIR (gpu|rehearsal) TORCH_DEVICE COMMIT
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, kind = 'gpu', torchDevice = 'none', commit = 'unknown'] = process.argv.slice(2);
if (!dir || !existsSync(dir)) throw new Error('manifest: give the results folder of validate.sh');

const read = (f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : null);

/** Every top-level JSON value in a text (the CLI prints one per model). */
function jsonValues(text) {
  const out = [];
  let depth = 0, start = -1, inStr = false, esc = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) { if (esc) esc = false; else if (c === '\\') esc = true; else if (c === '"') inStr = false; continue; }
    if (c === '"') inStr = true;
    else if (c === '{') { if (depth++ === 0) start = i; }
    else if (c === '}' && --depth === 0) { try { out.push(JSON.parse(text.slice(start, i + 1))); } catch { /* a torn write */ } }
  }
  return out;
}

function benchJson(sub) {
  const d = join(dir, sub);
  if (!existsSync(d)) return null;
  const f = readdirSync(d).filter((x) => /^bench-.*\.json$/.test(x)).sort().pop();
  return f ? JSON.parse(readFileSync(join(d, f), 'utf8')) : null;
}

const round = (x, n = 3) => (typeof x === 'number' && Number.isFinite(x) ? Number(x.toFixed(n)) : null);
const check = (v, op, t) => (v === null ? 'not measured' : (op === '>=' ? v >= t : v <= t) ? 'met' : 'not met');

const train = benchJson('train');
const stock = benchJson('train-stock');
const pixRun = benchJson('pix');
const wg = train?.trainStep?.rows?.find((r) => r.backend === 'webgpu') ?? null;
const torch = train?.trainStep?.rows?.find((r) => String(r.backend).startsWith('pytorch')) ?? null;
const stockRow = stock?.trainStep?.rows?.find((r) => r.backend === 'webgpu') ?? null;
const trainProfile = train?.trainStep?.profiles?.[0] ?? null;
const forward = jsonValues(read('profile-forward.json') ?? '');
const lat = (f) => { const v = jsonValues(read(f) ?? '')[0]; return v?.a ? v : null; };
const b1 = lat('latency-b1.json');
const b64 = lat('latency-b64.json');
const latSummary = (c) => c && ({
  batch: c.a.inputShape[0], input: c.a.inputShape[1], runs: c.a.runs, warmup: c.a.warmup,
  resnet50MeanMs: round(c.a.meanMs), pixResnet50MeanMs: round(c.b.meanMs), ratio: round(c.ratioMean),
});
const pixRows = (pixRun?.pix ?? []).map((r) => ({
  size: r.size, gpu: r.gpu && { forwardMs: round(r.gpu.forwardMs, 4), backwardMs: round(r.gpu.backwardMs, 4), copyMs: round(r.gpu.copyMs, 4),
    forwardGBps: round(r.gpu.forwardGBps, 1), backwardGBps: round(r.gpu.backwardGBps, 1), copyGBps: round(r.gpu.copyGBps, 1), ratio: round(r.gpu.ratio) },
  wallClock: { pixGBps: round(r.effectiveGBps, 1), copyGBps: round(r.copyGBps, 1) },
}));
const trainRatio = wg && torch ? wg.imgPerS / torch.imgPerS : null;
const bigPix = pixRows.find((r) => r.size.endsWith('x56x56x512'))?.gpu?.ratio ?? pixRows[0]?.gpu?.ratio ?? null;

const manifest = {
  kind: 'chanlab-gpu-validation',
  run: kind,
  date: new Date().toISOString().slice(0, 10),
  command: 'OUT=<dir> bash scripts/gpu/validate.sh (carrying .gpu/ and .gl/ from scripts/gpu/pack.sh)',
  code: read('BUNDLE.json') ? JSON.parse(read('BUNDLE.json')) : { kind: 'checkout', commit },
  device: (read('device.txt') ?? '').split('\n').slice(0, 2),
  webgpu: (read('backends.txt') ?? '').split('\n').find((l) => l.startsWith('webgpu')) ?? null,
  node: process.version,
  torch: (read('torch.txt') ?? '').trim(),
  adapter: (() => { const a = jsonValues(read('adapter.json') ?? '')[0]; return a ? {
    features: a.default?.features ?? null, limits: a.default?.limits ?? null,
    subgroupMatrixConfigs: a.allow_unsafe_apis?.subgroupMatrixConfigs ?? null,
    subgroupMatrixFeature: a.allow_unsafe_apis?.features?.includes('chromium-experimental-subgroup-matrix') ?? null,
  } : null; })(),
  steps: Object.fromEntries((read('status.tsv') ?? '').trim().split('\n').filter(Boolean).map((l) => l.split('\t'))),
  summary: {
    trainStep: {
      model: train?.trainStep?.options?.model ?? null, batch: wg?.batch ?? null, size: train?.trainStep?.options?.size ?? null,
      webgpuImgPerS: round(wg?.imgPerS, 1), stockWebgpuImgPerS: round(stockRow?.imgPerS, 1),
      speedupOverStock: wg && stockRow ? round(wg.imgPerS / stockRow.imgPerS, 2) : null,
      torch: torch ? { backend: torch.backend, imgPerS: round(torch.imgPerS, 1), note: torch.note } : { unavailable: train?.trainStep?.torchError ?? `no reference (${torchDevice})` },
      vsTorch: round(trainRatio),
      perStep: trainProfile?.counts ?? null,
    },
    forward: forward.map((p) => ({ model: p.model, timing: p.timing, perPass: p.counts, gpuMsPerPass: round(p.kernelMsPerRun) })),
    latencyBatch1: latSummary(b1),
    latencyBatch64: latSummary(b64),
    pix: pixRows,
  },
  targets: {
    'training step ≥ 0.25× PyTorch CUDA (stretch 0.5×)': torchDevice === 'cuda' ? check(trainRatio, '>=', 0.25) : `not measured (PyTorch reference on ${torchDevice})`,
    'PiX-ResNet-50 / ResNet-50 latency ≤ 0.85 at batch 1': check(b1?.ratioMean ?? null, '<=', 0.85),
    'PiX-ResNet-50 / ResNet-50 latency ≤ 0.80 at batch 64': check(b64?.ratioMean ?? null, '<=', 0.80),
    'PiX op forward + backward ≥ 0.5 of the raw copy (GPU timestamps)': check(bigPix, '>=', 0.5),
  },
};
if (kind === 'rehearsal') manifest.note = 'rehearsal on a software adapter at reduced sizes: the numbers check the script, not a GPU';
const tmp = join(dir, `manifest.json.tmp-${process.pid}`);
writeFileSync(tmp, JSON.stringify(manifest, null, 1) + '\n');
renameSync(tmp, join(dir, 'manifest.json'));
console.log(JSON.stringify(manifest.summary, null, 1));
console.log(JSON.stringify(manifest.targets, null, 1));
