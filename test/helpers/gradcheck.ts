// Finite-difference (central differences) gradient check of a module: analytic gradients from tf.variableGrads / tf.grad
// against numerical ones at random coordinates of the input and of every parameter. Returns the worst error relative
// to the largest analytic gradient of the tensor checked.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src/core/rng.js';
import type { Module } from '../../src/nn/index.js';
import { randn } from './tensors.js';

/** Checks d(sum(r ⊙ m(x)))/dθ for x and every parameter at `samples` random coordinates each. */
export function gradCheck(m: Module, x: tf.Tensor, samples = 10, eps = 1e-2): number {
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
