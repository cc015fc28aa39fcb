// The PiX gate on webgpu (one dispatch per call, src/kernels/webgpu/PixGate.ts) against the stock-op composite on
// cpu: p and the gradients of x, the weight and the bias, for channel counts below, at and above the 256 lanes of a
// workgroup, both activations, batch 1 and more. Runs on Mesa lavapipe on CPU-only machines.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { webgpuErrors } from '../../src/backend/index.js';
import { withBackends } from '../helpers/backends.js';
import { WebGPUProfiler } from '../../src/backend/webgpu_profile.js';
import { hasPixGateKernel, pixGate, pixGateComposite, type PixGateActivation } from '../../src/ops/pix/index.js';
import { randArray, relErr } from '../helpers/tensors.js';

type Shape4 = [number, number, number, number];
const CASES: Array<{ x: Shape4; G: number; bias: boolean; act: PixGateActivation }> = [
  { x: [1, 7, 7, 512], G: 128, bias: false, act: 'sigmoid' },
  { x: [2, 5, 3, 24], G: 6, bias: true, act: 'tanh' },
  { x: [3, 4, 4, 37], G: 300, bias: true, act: 'sigmoid' },  // G over 256: two outputs per invocation
];

async function run(backend: string, c: (typeof CASES)[number], f: typeof pixGateComposite): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const C = c.x[3];
  const x = tf.tensor(randArray(c.x, 1), c.x);
  const w = tf.tensor(randArray([1, 1, C, c.G], 2).map((v) => v / Math.sqrt(C)), [1, 1, C, c.G]);
  const b = c.bias ? tf.tensor(randArray([c.G], 3), [c.G]) : null;
  const dy = tf.tensor(randArray([c.x[0], 1, 1, c.G], 4), [c.x[0], 1, 1, c.G]);
  const inputs = b ? [x, w, b] : [x, w];
  const { value, grads } = tf.valueAndGrads((...t: tf.Tensor[]) => f(t[0] as tf.Tensor4D, t[1] as tf.Tensor4D, t[2] ?? null, c.act))(inputs, dy as tf.Tensor4D);
  const out = await Promise.all([value, ...grads].map((t) => t.data() as Promise<Float32Array>));
  tf.dispose([value, ...grads, ...inputs, dy]);
  return out;
}

withBackends('cpu', 'webgpu');

describe('pixGate on webgpu', () => {
  it('has the kernel', () => expect(hasPixGateKernel('webgpu')).toBe(true));

  for (const c of CASES) {
    it(`equals the composite on cpu: x [${c.x}], G ${c.G}, ${c.act}${c.bias ? ', bias' : ''}`, async () => {
      const got = await run('webgpu', c, pixGate);
      const want = await run('cpu', c, pixGateComposite);
      ['p', 'dx', 'dweight', 'dbias'].slice(0, got.length).forEach((what, i) => expect(relErr(got[i]!, want[i]!), what).toBeLessThan(2e-5));
    });
  }

  it('is one dispatch', async () => {
    await tf.setBackend('webgpu');
    const x = tf.ones([1, 8, 8, 64]) as tf.Tensor4D;
    const w = tf.ones([1, 1, 64, 16]) as tf.Tensor4D;
    const prof = new WebGPUProfiler({ timestamps: false });
    prof.start();
    const p = pixGate(x, w, null);
    const { counts } = await prof.stop();
    expect(counts.dispatches).toBe(1);
    tf.dispose([x, w, p]);
    await new Promise((r) => setTimeout(r, 50));
    expect(webgpuErrors()).toEqual([]);
  });
});
