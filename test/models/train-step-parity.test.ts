// One ResNet-18 training step (forward, backward, SGD update) on wasm gives the same loss, gradients and updated
// weights as on the cpu reference backend.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { createModel } from '../../src/models/index.js';
import { manualSeed } from '../../src/nn/index.js';
import { randn, relErr } from '../helpers/tensors.js';

interface StepResult { loss: number; grads: Map<string, Float32Array>; updated: Map<string, Float32Array> }

async function step(backend: string): Promise<StepResult> {
  await useBackend(backend);
  manualSeed(42);
  const model = createModel('resnet18', { numClasses: 10 });
  const x = randn([3, 32, 32, 3], 1);
  const labels = tf.oneHot(tf.tensor1d([1, 4, 7], 'int32'), 10);
  const vars = model.trainableVariables();
  const names = new Map(model.parameters().map((p) => [p.variable.name, p] as const));
  const keyOf = new Map([...model.namedParameters()].map(([k, p]) => [p.variable.name, k] as const));
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.call(x)) as tf.Scalar, vars);
  const out: StepResult = { loss: value.dataSync()[0]!, grads: new Map(), updated: new Map() };
  for (const [vn, g] of Object.entries(grads)) {
    out.grads.set(keyOf.get(vn)!, g.dataSync() as Float32Array);
    const p = names.get(vn)!;
    p.assign(tf.tidy(() => tf.sub(p.variable, tf.mul(g, 0.1))));
    out.updated.set(keyOf.get(vn)!, p.variable.dataSync() as Float32Array);
  }
  tf.dispose([value, x, labels, ...Object.values(grads)]);
  model.dispose();
  return out;
}

describe('ResNet-18 training step: wasm vs cpu', () => {
  it('same loss, gradients and updated weights', async () => {
    const ref = await step('cpu');
    const got = await step('wasm');
    expect(Number.isFinite(ref.loss)).toBe(true);
    expect(Math.abs(got.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-5);
    expect([...got.grads.keys()].sort()).toEqual([...ref.grads.keys()].sort());
    expect(got.grads.size).toBe(62);
    let worst = 0;
    let worstKey = '';
    for (const [k, g] of ref.grads) {
      const e = relErr(got.grads.get(k)!, g);
      if (e > worst) [worst, worstKey] = [e, k];
    }
    expect(worst, `worst gradient: ${worstKey}`).toBeLessThan(1e-3);
    for (const [k, w] of ref.updated) expect(relErr(got.updated.get(k)!, w), k).toBeLessThan(1e-5);
  });
});
