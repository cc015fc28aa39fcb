// One ResNet-18 training step (forward, backward, SGD update) on wasm against the cpu reference backend.
//
// With BatchNorm in eval mode the whole network is smooth in its activations and wasm must match cpu tightly
// (max relative error 1e-4 per gradient tensor; weights after the update within 1e-6). In training mode, ReLU masks, max-pool argmaxes and small-batch
// BN statistics make gradients discontinuous in the activations: float summation-order differences of ~1e-6 between
// backends can flip a few units. (Checked: feeding wasm's layer3 activations into the cpu backend reproduces the
// same gradient differences, so they are not kernel errors.) There we require the same loss to 1e-5 and gradients
// within 5e-2 relative Frobenius error per tensor, median below 5e-3.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { createModel } from '../../src/zoo/index.js';
import { manualSeed } from '../../src/nn/index.js';
import { randn, relErr } from '../helpers/tensors.js';

interface StepResult { loss: number; grads: Map<string, Float32Array>; updated: Map<string, Float32Array> }

async function step(backend: string, trainMode: boolean): Promise<StepResult> {
  await useBackend(backend);
  manualSeed(42);
  const model = createModel('resnet18', { numClasses: 10 });
  model.train(trainMode);
  const x = randn([4, 48, 48, 3], 1);
  const labels = tf.oneHot(tf.tensor1d([1, 4, 7, 9], 'int32'), 10);
  const byVar = new Map([...model.namedParameters()].map(([k, p]) => [p.variable.name, [k, p] as const]));
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.call(x)) as tf.Scalar, model.trainableVariables());
  const out: StepResult = { loss: value.dataSync()[0]!, grads: new Map(), updated: new Map() };
  for (const [vn, g] of Object.entries(grads)) {
    const [key, p] = byVar.get(vn)!;
    out.grads.set(key, g.dataSync() as Float32Array);
    p.reset(tf.tidy(() => tf.sub(p.variable, tf.mul(g, 0.1))));
    out.updated.set(key, p.variable.dataSync() as Float32Array);
  }
  tf.dispose([value, x, labels, ...Object.values(grads)]);
  model.dispose();
  return out;
}

function maxRel(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let s = 1e-12;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / s;
}

function frobRel(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let s = 1e-24;
  for (let i = 0; i < a.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    s += b[i]! ** 2;
  }
  return Math.sqrt(d / s);
}

function worst(ref: Map<string, Float32Array>, got: Map<string, Float32Array>, err: (a: Float32Array, b: Float32Array) => number) {
  const errs = [...ref].map(([k, g]) => [k, err(got.get(k)!, g)] as const).sort((p, q) => q[1] - p[1]);
  return { worst: errs[0]!, median: errs[Math.floor(errs.length / 2)]![1] };
}

describe('ResNet-18 training step: wasm vs cpu', () => {
  it('BN in eval mode: same loss, gradients and updated weights (tight)', async () => {
    const ref = await step('cpu', false);
    const got = await step('wasm', false);
    expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-6);
    expect(got.grads.size).toBe(62);
    const g = worst(ref.grads, got.grads, maxRel);
    expect(g.worst[1], `worst gradient ${g.worst[0]}`).toBeLessThan(1e-4);
    const w = worst(ref.updated, got.updated, relErr);
    expect(w.worst[1], `worst weight ${w.worst[0]}`).toBeLessThan(1e-6);
  }, 400_000); // a ResNet-18 step on tfjs's pure-JS cpu backend: minutes on a busy 2-core machine

  it('BN in training mode: same loss; gradients agree up to activation discontinuities', async () => {
    const ref = await step('cpu', true);
    const got = await step('wasm', true);
    expect(Number.isFinite(ref.loss)).toBe(true);
    expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
    expect([...got.grads.keys()].sort()).toEqual([...ref.grads.keys()].sort());
    const g = worst(ref.grads, got.grads, frobRel);
    expect(g.worst[1], `worst gradient ${g.worst[0]}`).toBeLessThan(5e-2);
    expect(g.median).toBeLessThan(5e-3);
  }, 400_000); // a ResNet-18 step on tfjs's pure-JS cpu backend: minutes on a busy 2-core machine
});
