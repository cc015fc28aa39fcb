// One registration path: every custom kernel config under src/kernels/{cpu,wasm,webgpu} is in a list of
// src/kernels/register.ts, only install.ts and register.ts call tfjs's registerKernel / registerGradient, and
// installKernels replaces, wraps and restores.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { installKernels } from '../../src/kernels/install.js';
import { CUSTOM_GRADIENTS, CUSTOM_KERNELS, WEBGPU_KERNELS } from '../../src/kernels/register.js';

// The wasm DGC-head kernels are the native DGC kernel's fallback (src/kernels/native/dgc.ts), never installed alone.
const NOT_INSTALLED = new Set(['dgcHeadsWasmConfig', 'dgcHeadsGradWasmConfig']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

describe('kernel registration', () => {
  it('every kernel config exported by a backend kernel file is installed through register.ts', async () => {
    const listed = new Set<unknown>([...CUSTOM_KERNELS, ...WEBGPU_KERNELS]);
    const unlisted: string[] = [];
    for (const backend of ['cpu', 'wasm', 'webgpu']) {
      for (const file of sourceFiles(path.join('src', 'kernels', backend))) {
        const mod = (await import(path.resolve(file))) as Record<string, unknown>;
        for (const [name, value] of Object.entries(mod)) {
          const isKernel = typeof value === 'object' && value !== null && 'kernelName' in value && 'backendName' in value;
          if (isKernel && !listed.has(value) && !NOT_INSTALLED.has(name)) unlisted.push(`${file}: ${name}`);
        }
      }
    }
    expect(unlisted).toEqual([]);
  });

  it('only src/kernels/install.ts and register.ts register kernels or gradients', () => {
    const offenders = sourceFiles('src').filter((f) => !/src\/kernels\/(install|register)\.ts$/.test(f))
      .filter((f) => /\b(registerKernel|registerGradient)\(/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
    expect(CUSTOM_GRADIENTS.map((g) => g.kernelName)).toEqual(
      ['ChanlabPix', 'ChanlabPixGate', 'ChanlabDgcHeads', 'ChanlabDgcTrain', 'ChanlabDgcStackHeads', 'ChanlabGroupConv2D', 'ChanlabBatchNormTrain', 'ChanlabBatchNormTrainAct']);
  });

  it('installKernels replaces, wraps the replaced kernel, and restores it', () => {
    const name = 'ChanlabTestOnlyKernel';
    const first: KernelFunc = () => ({ dataId: {}, shape: [1], dtype: 'float32' }) as TensorInfo;
    const undoFirst = installKernels([{ kernelName: name, backendName: 'cpu', kernelFunc: first }]);
    expect(getKernel(name, 'cpu')!.kernelFunc).toBe(first);
    let wrapped: KernelConfig | undefined;
    const second: KernelFunc = (args) => wrapped!.kernelFunc(args);
    const undoSecond = installKernels([{ kernelName: name, backendName: 'cpu', wrap: (prev) => { wrapped = prev; return second; } }]);
    expect(wrapped?.kernelFunc).toBe(first);
    expect(getKernel(name, 'cpu')!.kernelFunc).toBe(second);
    undoSecond();
    expect(getKernel(name, 'cpu')!.kernelFunc).toBe(first);
    undoFirst();
    expect(getKernel(name, 'cpu')).toBeUndefined();
  });
});
