// chanlab's SGD on webgpu updates many parameters per dispatch, in place (src/kernels/webgpu/sgd.ts): three steps
// give the weights and momentum buffers of the per-parameter rule on cpu, for momentum, Nesterov, dampening and weight
// decay, with more parameters than one dispatch binds; a parameter whose data is shared takes the per-parameter
// path and is left correct, the tensor sharing its data untouched.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { webgpuErrors } from '../../src/backend/index.js';
import { withBackends } from '../helpers/backends.js';
import { WebGPUProfiler } from '../../src/backend/webgpu_profile.js';
import { SGD, type ParamEntry, type SGDOptions } from '../../src/train/optim.js';
import { randArray, relErr } from '../helpers/tensors.js';

const SHAPES = [[3, 3, 2, 4], [4], [7], [5, 3], [2, 2, 3, 3], [9], [1], [6, 4], [3], [2, 5], [4, 4], [11], [8]];

interface Run { weights: Float32Array[]; buffers: Float32Array[]; dispatches: number; shared: Float32Array }

async function run(backend: string, o: SGDOptions): Promise<Run> {
  await tf.setBackend(backend);
  const params: ParamEntry[] = SHAPES.map((s, i) => ({
    name: `p${i}`, variable: tf.variable(tf.tensor(randArray(s, 100 + i), s)), weightDecay: i % 3 === 0 ? 0.01 : 0,
  }));
  // p1 shares its data with another tensor (a variable made from a kept tensor): it cannot be written in place
  const shared = tf.tensor(randArray(SHAPES[1]!, 7), SHAPES[1]);
  params[1] = { name: 'p1', variable: tf.variable(shared), weightDecay: 0 };
  const opt = new SGD(params, o);
  let dispatches = 0;
  for (let step = 0; step < 3; step++) {
    const grads = new Map(SHAPES.map((s, i) => [`p${i}`, tf.tensor(randArray(s, 1000 * step + i), s)]));
    opt.lr = 0.1 / (step + 1);
    const prof = backend === 'webgpu' && step === 2 ? new WebGPUProfiler({ timestamps: false }) : null;
    prof?.start();
    opt.step(grads);
    if (prof) dispatches = (await prof.stop()).counts.dispatches;
    tf.dispose([...grads.values()]);
  }
  const out: Run = {
    weights: await Promise.all(params.map(async (p) => (await p.variable.data()) as Float32Array)),
    buffers: await Promise.all([...opt.state().tensors.values()].map(async (t) => (await t.data()) as Float32Array)),
    dispatches,
    shared: (await shared.data()) as Float32Array,
  };
  opt.dispose();
  params.forEach((p) => p.variable.dispose());
  shared.dispose();
  return out;
}

withBackends('cpu', 'webgpu');

describe('webgpu multi-tensor SGD', () => {
  const CASES: SGDOptions[] = [
    { lr: 0.1, momentum: 0.9 },
    { lr: 0.1, momentum: 0.9, nesterov: true },
    { lr: 0.1, momentum: 0.5, dampening: 0.3 },
    { lr: 0.1 },
  ];
  for (const o of CASES) {
    it(`matches the per-parameter rule: ${JSON.stringify(o)}`, async () => {
      const gpu = await run('webgpu', o);
      const cpu = await run('cpu', o);
      gpu.weights.forEach((w, i) => expect(relErr(w, cpu.weights[i]!), `w${i}`).toBeLessThan(1e-6));
      expect(gpu.buffers.length).toBe(cpu.buffers.length);
      gpu.buffers.forEach((b, i) => expect(relErr(b, cpu.buffers[i]!), `buf${i}`).toBeLessThan(1e-6));
      expect(relErr(gpu.shared, cpu.shared)).toBe(0);
      // 12 fused parameters in ceil(12 / K) dispatches (K = 5 with momentum, 8 without, on lavapipe's 16 buffers),
      // the shared one by a handful of stock ops
      expect(gpu.dispatches).toBeLessThan(12);
    });
  }

  it('left no WebGPU error behind', async () => {
    await new Promise((r) => setTimeout(r, 50));
    expect(webgpuErrors()).toEqual([]);
  });
});
