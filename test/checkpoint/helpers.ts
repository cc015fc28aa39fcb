// Helpers for the checkpoint tests: fixture paths, NCHW → logits through a chanlab model, the logit tolerance.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { readNpy } from '../../src/interop/npy.js';
import type { Module } from '../../src/nn/module.js';
import { ResNet } from '../../src/models/resnet.js';

export const FIX = join(process.cwd(), 'test', 'fixtures', 'checkpoint');
export const fix = (name: string): string => join(FIX, name);

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'chanlab-ckpt-'));
}

/** Runs python with the fixture script's module classes importable; throws with stderr on failure. */
export function py(code: string, ...args: string[]): string {
  const prelude = 'import sys\nsys.path.insert(0, "scripts/fixtures")\nimport torch\ntorch.set_num_threads(1)\n';
  const r = spawnSync('/usr/bin/python3', ['-c', prelude + code, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`python exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** Eval-mode logits of `model` on an NCHW float32 .npy file. */
export function logitsOf(model: Module, npyPath: string): Float32Array {
  const x = readNpy(npyPath);
  model.eval();
  return tf.tidy(() => {
    const xt = tf.transpose(tf.tensor4d(x.data as Float32Array, x.shape as [number, number, number, number]), [0, 2, 3, 1]);
    return model.call(xt).dataSync() as Float32Array;
  });
}

/** max |a − b| ≤ 1e-4 · max(1, max |expected|). Returns the max abs diff. */
export function expectLogitsClose(actual: ArrayLike<number>, expectedNpy: string | Float32Array): number {
  const e = typeof expectedNpy === 'string' ? (readNpy(expectedNpy).data as Float32Array) : expectedNpy;
  expect(actual.length).toBe(e.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < e.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - e[i]!));
    scale = Math.max(scale, Math.abs(e[i]!));
  }
  expect(diff, `max abs logit diff (scale ${scale})`).toBeLessThanOrEqual(1e-4 * scale);
  // guard against trivially equal outputs (all zeros)
  expect(Math.max(...Array.from(e, Math.abs))).toBeGreaterThan(1e-3);
  return diff;
}

/** The narrow torchvision-code ResNets of the fixture script. */
export function narrowResNet18(numClasses = 10): ResNet {
  return new ResNet({ numClasses, inChannels: 3, block: 'basic', layers: [2, 2, 2, 2], widths: [4, 8, 16, 32], stem: 'imagenet' });
}

export function narrowResNet50(numClasses = 10): ResNet {
  return new ResNet({ numClasses, inChannels: 3, block: 'bottleneck', layers: [3, 4, 6, 3], widths: [4, 8, 16, 32], stem: 'imagenet' });
}

export const PIX_NARROW = { outWidths: [16, 32, 64, 128], stemWidth: 8, numClasses: 10 };
