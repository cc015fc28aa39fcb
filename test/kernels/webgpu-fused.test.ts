// The inference fusions on webgpu and the dispatch counts they reach (Mesa lavapipe on CPU-only machines):
//  - PiX read inside the squeeze conv (ChanlabConvBnAct with pixP) equals pix → conv → BN → ReLU from stock ops on
//    cpu, for every reduction, a clamped last group, the true-mean divisor and stride 2;
//  - the one-dispatch spatial mean equals cpu's;
//  - a ResNet-50 and a PiX-ResNet-50 forward at batch 1 (64×64) give wasm's logits in a pinned number of dispatches
//    with one read-back, and a small ResNet's training step a pinned number with one read-back (the loss).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { webgpuErrors } from '../../src/backend/index.js';
import { withBackends } from '../helpers/backends.js';
import { WebGPUProfiler, type WebGPUCounts } from '../../src/backend/webgpu_profile.js';
import { DEFAULT_TRAIN_STEP, trainStepOf } from '../../src/bench/train_step.js';
import { manualSeed } from '../../src/nn/init.js';
import { convF16, setConvF16 } from '../../src/kernels/webgpu/conv.js';
import { ChanlabConvBnAct } from '../../src/ops/conv/kernel_names.js';
import { pix, type PixReduce } from '../../src/ops/pix/index.js';
import { createModel } from '../../src/zoo/index.js';
import { randArray, relErr } from '../helpers/tensors.js';

// The numbers this design reaches (before it, with tfjs's stock kernels: 194 and 226 forward dispatches):
// stem conv, max-pool, 16 blocks × 3 convs (PiX: gate, squeeze conv with PiX inside, expand conv), 4 projections,
// the spatial mean, and the classifier (matMul + bias add; PiX's 1×1 conv + bias add).
const FORWARD_DISPATCHES = { resnet50: 57, pix_resnet50_cs: 57 };
const TRAIN_STEP_DISPATCHES = 105; // resnet8_small, batch 2, 32×32, chanlab's SGD

type Shape4 = [number, number, number, number];

async function counted<T>(f: () => Promise<T>): Promise<{ value: T; counts: WebGPUCounts }> {
  const prof = new WebGPUProfiler({ timestamps: false });
  prof.start();
  try {
    const value = await f();
    return { value, counts: (await prof.stop()).counts };
  } catch (e) {
    await prof.stop();
    throw e;
  }
}

withBackends('cpu', 'wasm', 'webgpu');

describe('PiX inside the squeeze conv', () => {
  const CASES: Array<{ x: Shape4; zeta: number; reduce: PixReduce; divisor: 'zeta' | 'groupSize'; stride: number }> = [
    { x: [2, 7, 6, 10], zeta: 4, reduce: 'pick-or-mix', divisor: 'zeta', stride: 1 },  // G = 3, clamped last group
    { x: [1, 9, 9, 12], zeta: 3, reduce: 'max', divisor: 'zeta', stride: 2 },
    { x: [2, 5, 5, 7], zeta: 2, reduce: 'avg', divisor: 'groupSize', stride: 1 },
    { x: [1, 6, 7, 8], zeta: 4, reduce: 'min', divisor: 'zeta', stride: 1 },
    { x: [1, 6, 6, 9], zeta: 2, reduce: 'w-pix', divisor: 'groupSize', stride: 2 },
  ];
  for (const c of CASES) {
    it(`x=${c.x} ζ=${c.zeta} ${c.reduce} ${c.divisor} stride ${c.stride}`, async () => {
      const G = Math.ceil(c.x[3] / c.zeta);
      const O = 5;
      const pv = randArray([c.x[0], G], 2).map((v) => 1 / (1 + Math.exp(-v)));
      const bnv = [randArray([O], 5), randArray([O], 6).map((v) => Math.abs(v) + 0.5), randArray([O], 7), randArray([O], 8)];
      const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [1, 1], [1, 1], [0, 0]];
      const go = async (backend: string) => {
        await tf.setBackend(backend);
        const x = tf.tensor4d(randArray(c.x, 1), c.x);
        const p = tf.tensor(pv, [c.x[0], G]);
        const w = tf.tensor4d(randArray([3, 3, G, O], 3), [3, 3, G, O]);
        const [m, v, g, b] = bnv.map((a) => tf.tensor1d(a));
        const opts = { zeta: c.zeta, reduce: c.reduce, avgDivisor: c.divisor, tau: 0.5 };
        const y = backend === 'webgpu'
          ? tf.engine().runKernel(ChanlabConvBnAct, { x, filter: w, mean: m!, variance: v!, gamma: g!, beta: b!, pixP: p },
            { strides: [c.stride, c.stride], pad, dilations: [1, 1], groups: 1, activation: 'relu', eps: 1e-5, pix: opts } as never) as tf.Tensor
          : tf.relu(tf.batchNorm(tf.conv2d(pix(x, p, opts), w, c.stride, pad), m!, v!, b!, g!, 1e-5));
        const out = (await y.data()) as Float32Array;
        tf.dispose([x, p, w, m!, v!, g!, b!, y]);
        return out;
      };
      expect(relErr(await go('webgpu'), await go('cpu'))).toBeLessThan(2e-5);
    });
  }
});

describe('f16 inference convolutions (shader-f16)', () => {
  it('stay within 1e-2 of f32 and do run in f16 (the results differ)', async () => {
    await tf.setBackend('webgpu');
    const b = tf.backend() as never;
    const x = tf.tensor4d(randArray([2, 9, 9, 24], 1), [2, 9, 9, 24]);
    const w = tf.tensor4d(randArray([3, 3, 24, 40], 2).map((v) => v / 15), [3, 3, 24, 40]);
    const run = async (f16: boolean) => {
      setConvF16(f16);
      const y = tf.engine().runKernel(ChanlabConvBnAct, { x, filter: w },
        { strides: [1, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], dilations: [1, 1], groups: 1, activation: 'linear', eps: 0 } as never) as tf.Tensor;
      const v = (await y.data()) as Float32Array;
      y.dispose();
      return v;
    };
    try {
      const full = await run(false);
      const half = await run(true);
      expect(convF16(b)).toBe(true); // lavapipe offers shader-f16
      const d = relErr(half, full);
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThan(1e-2);
    } finally {
      setConvF16(false);
      tf.dispose([x, w]);
    }
  });
});

describe('spatial mean in one dispatch', () => {
  it('equals cpu, with and without kept dims', async () => {
    const xv = randArray([3, 5, 7, 11], 1);
    for (const keep of [true, false]) {
      const go = async (backend: string) => {
        await tf.setBackend(backend);
        const x = tf.tensor4d(xv, [3, 5, 7, 11]);
        const mean = async () => tf.mean(x, [1, 2], keep);
        const { value: y, counts } = backend === 'webgpu' ? await counted(mean) : { value: await mean(), counts: null };
        expect(y.shape).toEqual(keep ? [3, 1, 1, 11] : [3, 11]);
        const out = (await y.data()) as Float32Array;
        tf.dispose([x, y]);
        return { out, counts };
      };
      const gpu = await go('webgpu');
      expect(gpu.counts!.dispatches).toBe(1);
      expect(relErr(gpu.out, (await go('cpu')).out)).toBeLessThan(1e-6);
    }
  });
});

describe('dispatches per forward and per training step', () => {
  for (const name of ['resnet50', 'pix_resnet50_cs'] as const) {
    it(`${name} forward, batch 1, 64×64: wasm's logits in ${FORWARD_DISPATCHES[name]} dispatches and one read-back`, async () => {
      const xv = randArray([1, 64, 64, 3], 9);
      const logits = async (backend: string) => {
        await tf.setBackend(backend);
        manualSeed(0);
        const m = createModel(name);
        m.eval();
        const x = tf.tensor4d(xv, [1, 64, 64, 3]);
        const pass = async () => {
          const y = tf.tidy(() => m.call(x));
          const v = (await y.data()) as Float32Array;
          y.dispose();
          return v;
        };
        await pass(); // compile and upload the weights outside the count
        const r = backend === 'webgpu' ? await counted(pass) : { value: await pass(), counts: null };
        tf.dispose(x);
        m.dispose();
        return r;
      };
      const gpu = await logits('webgpu');
      expect(gpu.counts!.dispatches).toBe(FORWARD_DISPATCHES[name]);
      expect(gpu.counts!.reads).toBe(1);
      expect(gpu.counts!.uploads).toBe(0); // weights and input went up in the first pass
      expect(relErr(gpu.value, (await logits('wasm')).value)).toBeLessThan(1e-4);
    }, 300_000);
  }

  it(`resnet8_small training step (batch 2, 32×32, SGD): ${TRAIN_STEP_DISPATCHES} dispatches, the loss its only read-back`, async () => {
    await tf.setBackend('webgpu');
    manualSeed(0);
    const m = createModel('resnet8_small', { numClasses: 10 });
    const { step, dispose } = trainStepOf(m, 2, { ...DEFAULT_TRAIN_STEP, model: 'resnet8_small', batch: 2 });
    await step();
    const { counts } = await counted(step);
    dispose();
    m.dispose();
    expect(counts.dispatches).toBe(TRAIN_STEP_DISPATCHES);
    expect(counts.reads).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(webgpuErrors()).toEqual([]);
  });
});
