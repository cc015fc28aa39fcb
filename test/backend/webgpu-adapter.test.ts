// CHANLAB_WEBGPU_ADAPTER: an adapter index turned into Dawn's name-based selection (hardware GPUs first, CPU renderers
// after), with clear errors for a bad index and for identical GPUs Dawn cannot tell apart; and on lavapipe for real.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseBackends, useBackend } from '../../src/backend/index.js';
import { adapterFlags, parseDawnAdapters } from '../../src/backend/webgpu_adapter.js';

const LISTED = `no suitable backends found
Available adapters:
 * backend: 'vulkan', name: 'llvmpipe (LLVM 15.0.6, 256 bits)'
 * backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3'
 * backend: 'opengles', name: 'NVIDIA H100 80GB HBM3/PCIe/SSE2'
 * backend: 'vulkan', name: 'NVIDIA A100-SXM4-40GB'`;

describe('adapter index → Dawn flags', () => {
  const adapters = parseDawnAdapters(LISTED);
  it('parses Dawn\'s list', () => {
    expect(adapters).toHaveLength(4);
    expect(adapters[2]).toEqual({ backend: 'opengles', name: 'NVIDIA H100 80GB HBM3/PCIe/SSE2' });
  });
  it('counts the Vulkan GPUs first, CPU renderers last', () => {
    expect(adapterFlags('0', adapters)).toEqual(['backend=vulkan', 'adapter=NVIDIA H100 80GB HBM3']);
    expect(adapterFlags('1', adapters)).toEqual(['backend=vulkan', 'adapter=NVIDIA A100-SXM4-40GB']);
    expect(adapterFlags('2', adapters)).toEqual(['backend=vulkan', 'adapter=llvmpipe (LLVM 15.0.6, 256 bits)']);
  });
  it('refuses a bad index, one past the list, and identical GPUs', () => {
    expect(() => adapterFlags('x', adapters)).toThrow("CHANLAB_WEBGPU_ADAPTER must be an adapter index (an integer ≥ 0), got 'x'");
    expect(() => adapterFlags('-1', adapters)).toThrow('an integer ≥ 0');
    expect(() => adapterFlags('3', adapters)).toThrow('CHANLAB_WEBGPU_ADAPTER=3: Dawn has 3 adapter(s) on vulkan (0: NVIDIA H100 80GB HBM3; 1: NVIDIA A100-SXM4-40GB; 2: llvmpipe');
    const twins = parseDawnAdapters(" * backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3'\n * backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3'");
    expect(() => adapterFlags('1', twins)).toThrow(/selects adapters by name and 'NVIDIA H100 80GB HBM3' also names 1 other adapter\(s\).*ConstrainDevices=yes/);
  });
});

describe('on lavapipe', () => {
  afterAll(() => {
    releaseBackends();
    delete process.env.CHANLAB_WEBGPU_ADAPTER;
  });
  it('an index past the list is an error naming the adapters; index 0 runs on lavapipe', async () => {
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
    process.env.CHANLAB_WEBGPU_ADAPTER = '5';
    await expect(useBackend('webgpu')).rejects.toThrow(/CHANLAB_WEBGPU_ADAPTER=5: Dawn has 1 adapter\(s\) on vulkan \(0: llvmpipe/);
    process.env.CHANLAB_WEBGPU_ADAPTER = '0';
    expect(await useBackend('webgpu')).toBe('webgpu');
    expect(Array.from(await tf.add(tf.tensor([1, 2]), tf.tensor([3, 4])).data())).toEqual([4, 6]);
  }, 120_000);
});
