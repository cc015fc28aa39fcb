// The latency profile: every kernel of the backend timed during timed passes, by name and by input shape, and the
// backend's kernels restored afterwards (structure only, never speed).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { run as latencyCli } from '../../src/cli/commands/latency.js';
import { formatLatencyProfile, profileLatency } from '../../src/latency/profile.js';
import { createModel } from '../../src/zoo/index.js';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('latency profile', () => {
  it('times every kernel of a pass, by name and by shape, and restores the kernels', async () => {
    const before = new Map(tf.getKernelsForBackend('wasm').map((k) => [k.kernelName, k.kernelFunc]));
    const m = createModel('pix_resnet20_small');
    m.train();
    const p = await profileLatency(m, { runs: 2, warmup: 1, input: 32 });
    expect(m.training).toBe(true);
    expect(p.backend).toBe('wasm');
    const names = p.byKernel.map((r) => r.kernel);
    expect(names).toContain('Conv2D');
    expect(names).toContain('ChanlabPix');
    const conv = p.byKernel.find((r) => r.kernel === 'Conv2D')!;
    const convShapes = p.byShape.filter((r) => r.kernel === 'Conv2D');
    expect(convShapes.reduce((a, r) => a + r.callsPerRun, 0)).toBe(conv.callsPerRun);
    expect(convShapes.some((r) => r.shape === '1×32×32×3')).toBe(true);
    expect(p.kernelMsPerRun).toBeGreaterThan(0);
    expect(p.kernelMsPerRun).toBeLessThanOrEqual(p.msPerRun);
    for (let i = 1; i < p.byKernel.length; i++) expect(p.byKernel[i]!.msPerRun).toBeLessThanOrEqual(p.byKernel[i - 1]!.msPerRun);
    expect(formatLatencyProfile(p)).toMatch(/by kernel and input shape:/);
    const after = new Map(tf.getKernelsForBackend('wasm').map((k) => [k.kernelName, k.kernelFunc]));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, f] of before) expect(after.get(name) === f, name).toBe(true);
    m.dispose();
  });

  it('chanlab latency --profile prints both models; bad runs are refused', async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => void lines.push(s);
    try {
      expect(await latencyCli(['--model', 'pix_resnet20_small', '--baseline', 'resnet8_small', '--profile', '--runs', '1', '--warmup', '0', '--input', '32'])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^resnet8_small on wasm: .* ms per pass/);
    expect(lines[1]).toMatch(/^pix_resnet20_small on wasm: .*\n.*by kernel:[\s\S]*ChanlabPix/);
    await expect(profileLatency('resnet8_small', { runs: 0 })).rejects.toThrow(/runs must be an integer >= 1, got 0/);
  });
});
