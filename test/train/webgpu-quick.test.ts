// The quick preset (configs/quick.json: ResNet-8, ImageNet stem, Fashion-MNIST, SGD Nesterov) trains on webgpu
// with chanlab's kernels (implicit-GEMM convolutions, fused batch norm, multi-tensor SGD) to wasm's loss curve:
// the same first steps from the same seed, step by step within float tolerance. Mesa lavapipe on CPU-only machines.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { releaseBackends } from '../../src/backend/index.js';
import { webgpuKernelsEnabled } from '../../src/kernels/webgpu/index.js';
import { loadConfig, mergeConfig } from '../../src/train/config.js';
import { train } from '../../src/train/loop.js';
import { Progress } from '../../src/train/progress.js';
import { readMetrics, runPaths } from '../../src/train/run_dir.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-webgpu-quick-'));
afterAll(() => {
  releaseBackends();
  rmSync(tmp, { recursive: true, force: true });
});

const STEPS = 5;

async function lossCurve(backend: 'wasm' | 'webgpu'): Promise<{ losses: number[]; top1: number }> {
  const quick = loadConfig('quick');
  // the first steps of the preset; the final evaluation on 1000 test images (lavapipe is slow)
  const config = mergeConfig(quick, { maxSteps: STEPS, logEvery: 1, data: { ...quick.data, testLimit: 1000 } });
  const runDir = join(tmp, backend);
  const r = await train({ config, runDir, backend, progress: new Progress({ quiet: true }) });
  const records = readMetrics(runPaths(runDir).metrics).map((l) => l.record as { type?: string; loss?: number });
  const losses = records.filter((m) => m.type === 'step').map((m) => m.loss!);
  return { losses, top1: r.final!.top1 };
}

it(`the quick preset's first ${STEPS} steps on webgpu give wasm's losses`, async () => {
  const gpu = await lossCurve('webgpu');
  expect(webgpuKernelsEnabled()).toBe(true);
  const cpu = await lossCurve('wasm');
  expect(gpu.losses).toHaveLength(STEPS);
  expect(cpu.losses).toHaveLength(STEPS);
  // the loss moves (it learns) and both backends move it alike
  expect(cpu.losses[STEPS - 1]!).toBeLessThan(cpu.losses[0]! - 0.1);
  gpu.losses.forEach((l, i) => expect(Math.abs(l - cpu.losses[i]!), `step ${i + 1}: ${l} vs ${cpu.losses[i]}`).toBeLessThan(2e-3 * Math.max(1, cpu.losses[i]!)));
  expect(Math.abs(gpu.top1 - cpu.top1)).toBeLessThanOrEqual(0.5);
}, 600_000);
