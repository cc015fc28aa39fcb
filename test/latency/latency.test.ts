import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { compareLatency, formatLatencyComparison, latencyMethod, measureLatency, median, type LatencyMethod } from '../../src/latency/latency.js';
import { run as latencyCli } from '../../src/cli/commands/latency.js';
import { createModel } from '../../src/zoo/index.js';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('latency harness (structure only, never speed)', () => {
  it('measures warm-ups and timed runs with a sync per run', async () => {
    const m = createModel('resnet8_small');
    m.train();
    const r = await measureLatency(m, { runs: 3, warmup: 1, input: 32 });
    expect(r.backend).toBe('wasm');
    expect(r.inputShape).toEqual([1, 32, 32, 3]);
    expect(r.runs).toBe(3);
    expect(r.warmup).toBe(1);
    expect(r.samplesMs).toHaveLength(3);
    for (const s of r.samplesMs) expect(s).toBeGreaterThan(0);
    expect(r.meanMs).toBeGreaterThan(0);
    expect(r.minMs).toBeLessThanOrEqual(r.medianMs);
    expect(r.medianMs).toBeLessThanOrEqual(r.maxMs);
    expect(m.training).toBe(true); // mode restored
    m.dispose();
  });

  it('compares two registry models side by side', async () => {
    const c = await compareLatency('resnet8_small', 'resnet20_small', { runs: 2, warmup: 1, input: 32, backend: 'wasm' });
    expect(c.a.model).toBe('resnet8_small');
    expect(c.b.model).toBe('resnet20_small');
    expect(c.ratioMean).toBeCloseTo(c.b.meanMs / c.a.meanMs, 12);
    expect(c.ratioMedian).toBeGreaterThan(0);
    const text = formatLatencyComparison(c);
    expect(text).toContain('resnet8_small');
    expect(text).toContain('resnet20_small');
    expect(text).toMatch(/median ms/);
    expect(text).toMatch(/B\/A: mean/);
  });

  it('median and argument checks', async () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(() => median([])).toThrow(/median: xs must be a non-empty sample/);
    await expect(measureLatency('resnet8_small', { runs: 0 })).rejects.toThrow(/runs/);
  });

  it('the official method: batch 1, 224², 5 warm-ups, the mean of 1000 runs; comparisons by the mean', async () => {
    expect(latencyMethod('official')).toEqual({ runs: 1000, warmup: 5, input: 224, batch: 1, statistic: 'mean' });
    expect(latencyMethod('median')).toEqual({ runs: 50, warmup: 5, input: 224, batch: 1, statistic: 'median' });
    expect(() => latencyMethod('fast' as LatencyMethod)).toThrow(/latency method must be one of official, median, got 'fast'/);
    const c = await compareLatency('resnet8_small', 'resnet20_small', { ...latencyMethod('official'), runs: 3, warmup: 1, input: 32, backend: 'wasm' });
    expect(c.statistic).toBe('mean');
    expect(c.a.runs).toBe(3);
    expect(c.reductionPct).toBeCloseTo(100 * (1 - c.b.meanMs / c.a.meanMs), 10);
    expect(formatLatencyComparison(c)).toMatch(/by the mean\)/);
    const d = await compareLatency('resnet8_small', 'resnet20_small', { runs: 3, warmup: 0, input: 32 });
    expect(d.statistic).toBe('median');
    expect(d.reductionPct).toBeCloseTo(100 * (1 - d.b.medianMs / d.a.medianMs), 10);
    await expect(latencyCli(['--model', 'resnet8_small', '--method', 'fast'])).rejects.toThrow(/--method must be median or official, got 'fast'/);
  });
});
