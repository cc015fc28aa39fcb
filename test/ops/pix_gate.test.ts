// The fused PiX gate (pixGate: p = act(GAP(x)·W + b)) against the stock ops a PiX module composes: values and the
// three gradients, for both activations, with and without bias, batch 1 and batch > 1, channel counts that are not
// multiples of 16 and ones that span several slices. Where the native addon is active (wasm + native) the kernel
// runs; with CHANLAB_NATIVE=0 (project pure-wasm) the op falls back to the same stock ops. PiX modules take the
// fused path only when no hook watches their gate modules (hooks, e.g. the FLOP counter's, must see every call).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseBackends, useBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/core/rng.js';
import { nativeKernelsEnabled } from '../../src/kernels/native/index.js';
import { PiX } from '../../src/methods/pix/index.js';
import { ChanlabPixGate, hasPixGateKernel, pixGate, pixGateComposite, type PixGateActivation } from '../../src/ops/pix/index.js';

type Shape4 = [number, number, number, number];
const CASES: Array<{ x: Shape4; G: number; bias: boolean; act: PixGateActivation }> = [
  { x: [1, 7, 7, 2048], G: 512, bias: false, act: 'sigmoid' },  // a PiX-ResNet-50 stage-4 gate, batch 1
  { x: [2, 5, 3, 24], G: 6, bias: true, act: 'sigmoid' },
  { x: [3, 4, 4, 37], G: 10, bias: false, act: 'tanh' },
  { x: [2, 9, 9, 300], G: 75, bias: true, act: 'tanh' },         // several channel slices, tail of 12
];

function tensor(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) v[i] = rng.normal(0, scale);
  return tf.tensor(v, shape);
}

/** |got − want| ≤ atol + 1e-4·|want| everywhere. */
function close(what: string, got: Float32Array, want: Float32Array, atol: number): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (atol + 1e-4 * Math.abs(want[i]!)));
  expect(worst, `${what}: worst |Δ| / (atol + 1e-4·|want|)`).toBeLessThanOrEqual(1);
}

beforeAll(async () => {
  await useBackend('wasm');
});
afterAll(() => releaseBackends());

describe('pixGate', () => {
  it('has the kernel exactly where the native kernels are on', () => {
    expect(hasPixGateKernel('wasm')).toBe(nativeKernelsEnabled());
    expect(hasPixGateKernel('cpu')).toBe(false);
  });

  for (const c of CASES) {
    it(`matches the stock ops, values and gradients: x [${c.x.join(',')}], G ${c.G}, ${c.act}${c.bias ? ', bias' : ''}`, async () => {
      const rng = new Rng(c.x.reduce((a, b) => a * 31 + b, c.G));
      const C = c.x[3];
      const x = tensor(c.x, rng);
      const w = tensor([1, 1, C, c.G], rng, 1 / Math.sqrt(C));
      const b = c.bias ? tensor([c.G], rng, 0.1) : null;
      const dy = tensor([c.x[0], 1, 1, c.G], rng);
      const run = async (f: typeof pixGateComposite) => {
        const inputs = b ? [x, w, b] : [x, w];
        const { value, grads } = tf.valueAndGrads((...t: tf.Tensor[]) =>
          f(t[0] as tf.Tensor4D, t[1] as tf.Tensor4D, t[2] ?? null, c.act))(inputs, dy as tf.Tensor4D);
        const out = [value, ...grads];
        const r = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
        tf.dispose(out);
        return r;
      };
      const got = await run(pixGate);
      const want = await run(pixGateComposite);
      expect(got[0]!.length).toBe(c.x[0] * c.G);
      ['p', 'dx', 'dweight', 'dbias'].slice(0, got.length).forEach((what, i) => close(what, got[i]!, want[i]!, 1e-5));
      tf.dispose([x, w, dy, ...(b ? [b] : [])]);
    });
  }

  it('names the parameter and the expected shape on bad input; an empty batch gives an empty p', () => {
    const x = tf.zeros([1, 2, 2, 8]) as tf.Tensor4D;
    expect(() => pixGate(x, tf.zeros([1, 1, 6, 2]) as tf.Tensor4D, null)).toThrow(/weight must be a float32 \[1,1,8,G\]/);
    expect(() => pixGate(x, tf.zeros([1, 1, 8, 2]) as tf.Tensor4D, tf.zeros([3]))).toThrow(/bias must be null or 2 float32/);
    expect(() => pixGate(x, tf.zeros([1, 1, 8, 2]) as tf.Tensor4D, null, 'relu' as PixGateActivation)).toThrow(/activation/);
    expect(pixGate(tf.zeros([0, 2, 2, 8]) as tf.Tensor4D, tf.zeros([1, 1, 8, 2]) as tf.Tensor4D, null).shape).toEqual([0, 1, 1, 2]);
    expect(() => pixGate(tf.zeros([2, 8]) as unknown as tf.Tensor4D, tf.zeros([1, 1, 8, 2]) as tf.Tensor4D, null)).toThrow(/x must be a float32 \[N,H,W,C\]/);
  });

  it('a PiX module uses the fused gate unless a hook watches its gate modules', () => {
    const m = new PiX({ inChannels: 32, zeta: 4 });
    const x = tensor([2, 6, 6, 32], new Rng(7));
    const kernels = async () => (await tf.profile(() => m.probabilities(x))).kernelNames;
    return (async () => {
      const fused = await kernels();
      expect(fused.includes(ChanlabPixGate), fused.join(',')).toBe(nativeKernelsEnabled());
      let seen = 0;
      const remove = m.global_pool.registerForwardHook(() => void seen++);
      const hooked = await kernels();
      remove();
      expect(seen).toBe(1);
      expect(hooked.includes(ChanlabPixGate)).toBe(false);
      const a = m.probabilities(x).dataSync(), before = Float32Array.from(a);
      const r2 = m.global_pool.registerForwardHook(() => undefined);
      close('p fused vs stock', before, m.probabilities(x).dataSync() as Float32Array, 1e-5);
      r2();
      m.dispose();
      x.dispose();
    })();
  });
});
