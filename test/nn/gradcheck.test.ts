// Finite-difference gradient checks (central differences) of Conv2d (groups, stride 2) and BatchNorm2d in training
// mode, on the cpu reference backend: analytic gradients from tf.grads must match numerical ones.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/core/rng.js';
import { BatchNorm2d, Conv2d, type Module } from '../../src/nn/index.js';
import { randn } from '../helpers/tensors.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/** Checks d(sum(r ⊙ m(x)))/dθ for x and every parameter at `samples` random coordinates each. */
function gradCheck(m: Module, x: tf.Tensor, samples = 10, eps = 1e-2): number {
  const y0 = m.call(x);
  const r = randn(y0.shape, 123);
  y0.dispose();
  const vars = m.trainableVariables();
  const loss = (xx: tf.Tensor) => tf.sum(tf.mul(m.call(xx), r)) as tf.Scalar;
  // Analytic: gradients w.r.t. x and all parameters.
  const { value, grads } = tf.variableGrads(() => loss(x), vars);
  value.dispose();
  const gx = tf.grad((xx: tf.Tensor) => loss(xx))(x);
  const rng = new Rng(5);
  let worst = 0;
  const check = (target: { data: Float32Array; set: (d: Float32Array) => void }, analytic: Float32Array) => {
    let scale = 1e-3;
    for (const v of analytic) scale = Math.max(scale, Math.abs(v));
    for (let s = 0; s < samples; s++) {
      const i = rng.randint(target.data.length);
      const orig = target.data[i]!;
      const f = (delta: number) => {
        const d = target.data.slice();
        d[i] = orig + delta;
        target.set(d);
        const l = tf.tidy(() => loss(xCurrent).dataSync()[0]!);
        return l;
      };
      const num = (f(eps) - f(-eps)) / (2 * eps);
      const d = target.data.slice();
      target.set(d);
      worst = Math.max(worst, Math.abs(num - analytic[i]!) / scale);
    }
  };
  let xCurrent = x;
  const xData = x.dataSync() as Float32Array;
  check({ data: xData, set: (d) => { xCurrent = tf.tensor(d, x.shape); } }, gx.dataSync() as Float32Array);
  xCurrent = x;
  for (const v of vars) {
    const orig = v.dataSync().slice() as Float32Array;
    check({ data: orig, set: (d) => v.assign(tf.tensor(d, v.shape)) }, grads[v.name]!.dataSync() as Float32Array);
    v.assign(tf.tensor(orig, v.shape));
  }
  return worst;
}

describe('finite-difference gradients', () => {
  it('Conv2d with groups 2, stride 2, padding 1, bias', () => {
    const m = new Conv2d({ inChannels: 4, outChannels: 6, kernelSize: 3, stride: 2, padding: 1, groups: 2 });
    expect(gradCheck(m, randn([2, 7, 6, 4], 1))).toBeLessThan(2e-3);
  });
  it('depthwise Conv2d, stride 2', () => {
    const m = new Conv2d({ inChannels: 3, outChannels: 6, kernelSize: 3, stride: 2, padding: 1, groups: 3 });
    expect(gradCheck(m, randn([2, 5, 7, 3], 2))).toBeLessThan(2e-3);
  });
  it('BatchNorm2d in training mode (through the batch statistics)', () => {
    const m = new BatchNorm2d(3);
    m.weight!.reset(randn([3], 3));
    m.bias!.reset(randn([3], 4));
    expect(gradCheck(m, randn([2, 3, 4, 3], 5), 12, 1e-2)).toBeLessThan(5e-3);
  });
  it('detects a wrong gradient (the check can fail)', () => {
    // A module whose custom gradient is deliberately off by 2x must be caught.
    class Wrong extends Conv2d {
      override forward(x: tf.Tensor): tf.Tensor {
        const f = tf.customGrad(((xx: tf.Tensor) => ({ value: tf.mul(xx, 1), gradFunc: (dy: tf.Tensor) => tf.mul(dy, 2) })) as unknown as Parameters<typeof tf.customGrad>[0]);
        return super.forward(f(x) as tf.Tensor);
      }
    }
    const m = new Wrong({ inChannels: 2, outChannels: 2, kernelSize: 1 });
    expect(gradCheck(m, randn([1, 3, 3, 2], 6))).toBeGreaterThan(0.1);
  });
});
