// One ResNet-18 training step (forward, backward, SGD update) on wasm against the cpu reference backend.
//
// With BatchNorm in eval mode the network is smooth in its activations except at ReLU's kink, and wasm must match cpu
// tightly (max relative error 1e-4 per gradient tensor; weights after the update within 1e-6) as long as every ReLU
// input has the same sign on both backends. A pre-activation within float noise of zero flips the unit's gradient
// (seen: input seed 1 puts one of layer4.0's 8,192 units at +1.46e-6 on cpu and -1.42e-6 on wasm, which moves every
// gradient upstream by ~5e-3), so the test records the sign of every ReLU input on both backends (a wrapping kernel)
// and checks the first input whose signs all agree; it fails if none of three does. In training mode, ReLU masks, max-pool argmaxes and small-batch
// BN statistics make gradients discontinuous in the activations: float summation-order differences of ~1e-6 between
// backends can flip a few units. (Checked: feeding wasm's layer3 activations into the cpu backend reproduces the
// same gradient differences, so they are not kernel errors.) There we require the same loss to 1e-5 and gradients
// within 5e-2 relative Frobenius error per tensor, median below 5e-3.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { installKernels } from '../../src/kernels/install.js';
import { createModel } from '../../src/zoo/index.js';
import { manualSeed } from '../../src/nn/index.js';
import { randn, relErr } from '../helpers/tensors.js';

interface StepResult {
  loss: number;
  grads: Map<string, Float32Array>;
  updated: Map<string, Float32Array>;
  reluSigns: Uint8Array[]; // per Relu call in forward order: 1 where the input is > 0
}

/** Wraps `backend`'s Relu kernel so each call records its input's signs; returns the restore function. */
function recordReluSigns(backend: string, into: Uint8Array[]): () => void {
  return installKernels([{
    kernelName: tf.Relu,
    backendName: backend,
    wrap: (previous) => (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const v = (args.backend as tf.KernelBackend).readSync(x.dataId) as Float32Array;
      into.push(Uint8Array.from(v, (a) => (a > 0 ? 1 : 0)));
      return previous!.kernelFunc(args);
    },
  }]);
}

async function step(backend: string, trainMode: boolean, inputSeed = 1): Promise<StepResult> {
  await useBackend(backend);
  manualSeed(42);
  const model = createModel('resnet18', { numClasses: 10 });
  model.train(trainMode);
  const x = randn([4, 48, 48, 3], inputSeed);
  const labels = tf.oneHot(tf.tensor1d([1, 4, 7, 9], 'int32'), 10);
  const byVar = new Map([...model.namedParameters()].map(([k, p]) => [p.variable.name, [k, p] as const]));
  const reluSigns: Uint8Array[] = [];
  const restore = recordReluSigns(backend, reluSigns);
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.call(x)) as tf.Scalar, model.trainableVariables());
  restore();
  const out: StepResult = { loss: value.dataSync()[0]!, grads: new Map(), updated: new Map(), reluSigns };
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

/** How many ReLU inputs have a different sign on the two backends. */
function signFlips(a: Uint8Array[], b: Uint8Array[]): number {
  expect(b.map((s) => s.length)).toEqual(a.map((s) => s.length));
  let n = 0;
  a.forEach((s, i) => s.forEach((v, j) => (n += v === b[i]![j] ? 0 : 1)));
  return n;
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

const SIGN_STABLE_SEED = 2;

describe('ResNet-18 training step: wasm vs cpu', () => {
  it('BN in eval mode: same loss, gradients and updated weights (tight)', async () => {
    const flipsPerSeed: number[] = [];
    for (const inputSeed of [SIGN_STABLE_SEED, 1, 3]) {
      const ref = await step('cpu', false, inputSeed);
      const got = await step('wasm', false, inputSeed);
      expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-6);
      expect(ref.reluSigns.length).toBe(17); // stem + 2 per basic block × 8
      flipsPerSeed.push(signFlips(ref.reluSigns, got.reluSigns));
      if (flipsPerSeed.at(-1)! > 0) continue;
      expect(got.grads.size).toBe(62);
      const g = worst(ref.grads, got.grads, relErr);
      expect(g.worst[1], `worst gradient ${g.worst[0]}`).toBeLessThan(1e-4);
      const w = worst(ref.updated, got.updated, (a, b) => relErr(a, b, 1));
      expect(w.worst[1], `worst weight ${w.worst[0]}`).toBeLessThan(1e-6);
      return;
    }
    throw new Error(`every input put a ReLU unit on different sides of zero on cpu and wasm (flips per input: ${flipsPerSeed.join(', ')})`);
  }, 900_000); // a ResNet-18 step on tfjs's pure-JS cpu backend: minutes on a busy 2-core machine

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
