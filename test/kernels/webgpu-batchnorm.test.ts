// The fused training batch norm on webgpu (ChanlabBatchNormTrainAct and its gradient: statistics + normalise
// forward, two passes backward, with ReLU and the residual add) against the same computation from stock ops on cpu:
// output, batch statistics, running statistics updated in place, and the gradients of x, γ, β and the residual.
// Shapes with a channel count that is not a multiple of the 32-channel tile and more rows than one chunk.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { webgpuErrors } from '../../src/backend/index.js';
import { withBackends } from '../helpers/backends.js';
import { BatchNorm2d } from '../../src/nn/batchnorm.js';
import { hasBatchNormActKernel } from '../../src/ops/batchnorm/index.js';
import { randArray, relErr } from '../helpers/tensors.js';

const TOL = 5e-5;

interface Case { x: [number, number, number, number]; act: 'linear' | 'relu'; residual: boolean }
const CASES: Case[] = [
  { x: [3, 7, 9, 37], act: 'relu', residual: true },   // 189 rows, 2 channel tiles (one partial)
  { x: [2, 20, 20, 70], act: 'relu', residual: false }, // 800 rows: several chunks
  { x: [4, 5, 3, 8], act: 'linear', residual: true },
  { x: [1, 2, 1, 5], act: 'linear', residual: false },  // 2 rows
];

type Out = Record<string, Float32Array>;

async function run(c: Case, backend: string): Promise<Out> {
  await tf.setBackend(backend);
  const C = c.x[3];
  const bn = new BatchNorm2d(C);
  bn.weight!.variable.assign(tf.tensor1d(randArray([C], 11)));
  bn.bias!.variable.assign(tf.tensor1d(randArray([C], 12)));
  bn.runningMean!.variable.assign(tf.tensor1d(randArray([C], 13)));
  bn.runningVar!.variable.assign(tf.tensor1d(randArray([C], 14).map((v) => Math.abs(v) + 0.5)));
  const x = tf.tensor4d(randArray(c.x, 1), c.x);
  const r = tf.tensor4d(randArray(c.x, 2), c.x);
  const dy = tf.tensor4d(randArray(c.x, 3), c.x);
  const params = [bn.weight!.variable, bn.bias!.variable];
  const f = (xx: tf.Tensor, rr: tf.Tensor) => bn.forwardAct(xx, c.act, c.residual ? rr : undefined);
  const { value, grads } = tf.valueAndGrads((xx: tf.Tensor, rr?: tf.Tensor) => f(xx, rr ?? r))(c.residual ? [x, r] : [x], dy);
  const vg = tf.variableGrads(() => tf.sum(tf.mul(f(x, r), dy)) as tf.Scalar, params);
  const out: Out = {
    y: (await value.data()) as Float32Array,
    dx: (await grads[0]!.data()) as Float32Array,
    dGamma: (await vg.grads[params[0]!.name]!.data()) as Float32Array,
    dBeta: (await vg.grads[params[1]!.name]!.data()) as Float32Array,
    runningMean: (await bn.runningMean!.variable.data()) as Float32Array,
    runningVar: (await bn.runningVar!.variable.data()) as Float32Array,
    tracked: Float32Array.from(await bn.numBatchesTracked!.variable.data()),
  };
  if (c.residual) out.dResidual = (await grads[1]!.data()) as Float32Array;
  tf.dispose([x, r, dy, value, ...grads, vg.value, ...Object.values(vg.grads)]);
  bn.dispose();
  return out;
}

withBackends('cpu', 'webgpu');

describe('webgpu fused training batch norm vs stock ops on cpu', () => {
  it('is registered', () => expect(hasBatchNormActKernel()).toBe(true));

  for (const c of CASES) {
    it(`x=${c.x} ${c.act}${c.residual ? ' + residual' : ''}`, async () => {
      const gpu = await run(c, 'webgpu');
      const cpu = await run(c, 'cpu');
      expect(Object.keys(gpu).sort()).toEqual(Object.keys(cpu).sort());
      // two forward passes ran (value and variableGrads): the running statistics moved twice on both
      expect(Array.from(gpu.tracked!)).toEqual([2]);
      for (const k of Object.keys(cpu)) expect(relErr(gpu[k]!, cpu[k]!), k).toBeLessThan(TOL);
    });
  }

  it('left no WebGPU error behind', async () => {
    await tf.setBackend('webgpu');
    await new Promise((r) => setTimeout(r, 50));
    expect(webgpuErrors()).toEqual([]);
  });
});
