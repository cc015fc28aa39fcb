// The native (oneDNN / C++) kernels for the wasm backend: they are active exactly when the addon is built and not
// disabled, they are the registered wasm kernels then (so every wasm parity test in test/kernels and test/ops runs
// on them), and they agree with tfjs's cpu kernels or a naive reference: forward convolutions (odd sizes, stride 2,
// padding kinds, dilation, depthwise, fused bias + activation), batch norm, and whole training gradients. With
// CHANLAB_NATIVE=0 (the `pure-wasm` vitest project) the same checks run on the pure wasm kernels.
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { NATIVE_KERNELS, nativeKernelsEnabled, setNativeKernels } from '../../src/kernels/native/index.js';
import { ADDON_RELATIVE_PATH, nativeAddon, nativeStatus, packageRoot } from '../../src/kernels/native/addon.js';
import { batchNormTrain } from '../../src/ops/batchnorm/batchnorm_train.js';
import { withBackends } from '../helpers/backends.js';
import { randArray, relErr } from '../helpers/tensors.js';
import { type ConvCase as Case, convData, convLabel as label, FIRST_DEPTHWISE, FIRST_REGULAR, naiveConvGrads,
  naiveDepthwiseGrads, type Shape4 } from './conv_ref.js';

const TOL = 1e-4;

const REGULAR: Case[] = [
  ...FIRST_REGULAR,
  { x: [1, 11, 10, 2], k: [5, 5], outC: 3, strides: 3, dilations: 1, pad: 1 },
  { x: [2, 6, 6, 32], k: [1, 1], outC: 24, strides: 2, dilations: 1, pad: 'valid' },
  { x: [2, 9, 7, 3], k: [3, 3], outC: 4, strides: 1, dilations: 2, pad: 'same' },
  { x: [2, 11, 10, 3], k: [3, 2], outC: 5, strides: 1, dilations: [2, 3], pad: 'valid' },
  { x: [4, 16, 16, 16], k: [3, 3], outC: 32, strides: 2, dilations: 1, pad: 'same' },
  // strided 1×1 with few input channels: oneDNN 2.6's own weight gradient is wrong here (native/src/conv.cc)
  { x: [8, 10, 10, 4], k: [1, 1], outC: 8, strides: 2, dilations: 1, pad: 'valid' },
  { x: [2, 10, 10, 3], k: [1, 1], outC: 8, strides: 2, dilations: 1, pad: 'valid' },
];

const DEPTHWISE: Case[] = [
  ...FIRST_DEPTHWISE,
  { x: [2, 9, 7, 5], k: [3, 3], outC: 2, strides: [1, 2], dilations: 1, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  { x: [2, 10, 11, 2], k: [3, 3], outC: 2, strides: 1, dilations: [2, 3], pad: 'valid' },
];

/** The naive reference of a regular or a depthwise convolution: y, and dx, dw for upstream dy. (tfjs's cpu conv
 *  mis-sizes asymmetric dilation.) */
const naive = (depthwise: boolean) => (depthwise ? naiveDepthwiseGrads : naiveConvGrads);

/** y = conv(x, w) and, for upstream r, dx and dw from the backprop kernels (tfjs's op gradients refuse dilation). */
async function convOn(backend: string, c: Case, depthwise: boolean) {
  await tf.setBackend(backend);
  const { filterShape: wShape, info, xv, wv, dyv: r } = convData(c, depthwise);
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilations };
  const [y, dx, dw] = tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x), w = tf.tensor4d(wv, wShape), dy = tf.tensor4d(r, info.outShape);
    const e = tf.engine();
    return [
      depthwise ? tf.depthwiseConv2d(x, w, c.strides, c.pad, 'NHWC', c.dilations) : tf.conv2d(x, w, c.strides, c.pad, 'NHWC', c.dilations),
      e.runKernel(depthwise ? 'DepthwiseConv2dNativeBackpropInput' : 'Conv2DBackpropInput', { dy, filter: w },
        { ...attrs, inputShape: c.x } as never) as tf.Tensor,
      e.runKernel(depthwise ? 'DepthwiseConv2dNativeBackpropFilter' : 'Conv2DBackpropFilter', { x, dy },
        { ...attrs, filterShape: wShape } as never) as tf.Tensor,
    ];
  });
  const out = { y: await y.data() as Float32Array, dx: await dx.data() as Float32Array, dw: await dw.data() as Float32Array,
    xv, wv, r, wShape, info };
  tf.dispose([y, dx, dw]);
  return out;
}

withBackends('cpu', 'wasm');

describe('native addon status', () => {
  it('is active exactly when it is built and CHANLAB_NATIVE is not 0, and its kernels are then the wasm kernels', () => {
    const root = packageRoot();
    expect(root).toBeDefined();
    const built = existsSync(path.join(root!, ADDON_RELATIVE_PATH));
    // CI sets CHANLAB_NATIVE_REQUIRED=1 where it built the addon: a silent fallback to wasm must fail there.
    if (process.env.CHANLAB_NATIVE_REQUIRED === '1') expect(built, nativeStatus().reason).toBe(true);
    const expected = built && process.env.CHANLAB_NATIVE !== '0';
    expect(nativeStatus().active, nativeStatus().reason).toBe(expected);
    expect(nativeKernelsEnabled()).toBe(expected);
    for (const k of NATIVE_KERNELS) {
      expect(tf.getKernel(k.kernelName, 'wasm')?.kernelFunc === k.kernelFunc, k.kernelName).toBe(expected);
    }
  });
});

describe('forward convolution and its gradients vs a naive reference', () => {
  for (const [kind, cases] of [['conv2d', REGULAR], ['depthwise', DEPTHWISE]] as const) {
    for (const c of cases) {
      it(`${kind} ${label(c)}`, async () => {
        const dw = kind === 'depthwise';
        const wasm = await convOn('wasm', c, dw);
        const ref = naive(dw)(wasm.xv, c.x, wasm.wv, wasm.wShape, wasm.r, wasm.info);
        expect(relErr(wasm.y, ref.y), 'y').toBeLessThan(TOL);
        expect(relErr(wasm.dx, ref.dx), 'dx').toBeLessThan(TOL);
        expect(relErr(wasm.dw, ref.dw), 'dw').toBeLessThan(TOL);
      });
    }
  }
});

describe('strided 1×1 weight gradient (native)', () => {
  it('is the naive sum and the same on every call, on 1 and 2 threads', async () => {
    const addon = nativeAddon();
    if (addon === undefined) return; // the pure-wasm project: covered by the gradient cases above
    const geo = Int32Array.of(8, 10, 10, 4, 5, 5, 8, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1);
    const x = randArray([8, 10, 10, 4], 31), dy = randArray([8, 5, 5, 8], 32);
    const want = new Float32Array(32);
    for (let n = 0; n < 8; n++) for (let r = 0; r < 5; r++) for (let q = 0; q < 5; q++) {
      for (let i = 0; i < 4; i++) for (let o = 0; o < 8; o++) want[i * 8 + o] += x[((n * 10 + 2 * r) * 10 + 2 * q) * 4 + i]! * dy[((n * 5 + r) * 5 + q) * 8 + o]!;
    }
    const threads = addon.getThreads();
    try {
      for (const t of [1, 2]) {
        addon.setThreads(t);
        const first = new Float32Array(32);
        addon.convBackwardWeights(geo, x, dy, first);
        expect(relErr(first, want), `${t} thread(s)`).toBeLessThan(TOL);
        for (let k = 0; k < 20; k++) {
          const dw = new Float32Array(32);
          addon.convBackwardWeights(geo, x, dy, dw);
          expect(Buffer.from(dw.buffer).equals(Buffer.from(first.buffer)), `${t} thread(s), call ${k}`).toBe(true);
        }
      }
    } finally {
      addon.setThreads(threads);
    }
  });
});

describe('naive forward reference', () => {
  it('agrees with cpu on undilated regular and depthwise cases', async () => {
    for (const [c, dw] of [[REGULAR[3]!, false], [DEPTHWISE[2]!, true]] as const) {
      const { filterShape: wShape, info, xv, wv, dyv } = convData(c, dw);
      await tf.setBackend('cpu');
      const y = tf.tidy(() => (dw ? tf.depthwiseConv2d : tf.conv2d)(tf.tensor4d(xv, c.x), tf.tensor4d(wv, wShape),
        c.strides, c.pad).dataSync() as Float32Array);
      expect(relErr(naive(dw)(xv, c.x, wv, wShape, dyv, info).y, y)).toBeLessThan(TOL);
    }
  });
});

describe('fused convolution (bias + activation) vs cpu', () => {
  const acts = ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu', 'prelu'] as const;
  for (const activation of acts) {
    for (const depthwise of [false, true]) {
      it(`${depthwise ? 'depthwise' : 'conv2d'} + bias + ${activation}`, async () => {
        const run = async (backend: string) => {
          await tf.setBackend(backend);
          return tf.tidy(() => {
            const x = tf.tensor4d(randArray([2, 9, 7, 4], 5), [2, 9, 7, 4]);
            const oc = depthwise ? 8 : 6;
            const w = tf.tensor4d(randArray([3, 3, 4, depthwise ? 2 : 6], 6), [3, 3, 4, depthwise ? 2 : 6]);
            const bias = tf.tensor1d(randArray([oc], 7));
            const alpha = activation === 'prelu' ? tf.tensor1d(randArray([oc], 8)) : undefined;
            const args = { x, filter: w, strides: 2, pad: 'same' as const, bias, activation, preluActivationWeights: alpha,
              leakyreluAlpha: 0.3 };
            return (depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args)).dataSync() as Float32Array;
          });
        };
        expect(relErr(await run('wasm'), await run('cpu'))).toBeLessThan(TOL);
      });
    }
  }
});

describe('training-mode batch norm (fused native kernels where active) vs the cpu tf-ops path', () => {
  for (const shape of [[4, 7, 5, 6], [2, 16, 16, 64], [1, 1, 1, 3]] as Shape4[]) {
    it(`x=${shape}`, async () => {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        const c = shape[3];
        const x = tf.tensor4d(randArray(shape, 21).map((v) => 3 * v + 1), shape);
        const g = tf.tensor1d(randArray([c], 22));
        const b = tf.tensor1d(randArray([c], 23));
        const r = tf.tensor(randArray(shape, 24), shape);
        const stats: Float32Array[] = [];
        const { value, grads } = tf.valueAndGrads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.mul(batchNormTrain(xx, gg, bb, 1e-5, (m, v) => {
            stats.push(m.dataSync() as Float32Array, v.dataSync() as Float32Array);
          }), r)))([x, g, b]);
        const out = [await value.data() as Float32Array, ...await Promise.all(grads.map((t) => t.data() as Promise<Float32Array>)), ...stats];
        tf.dispose([x, g, b, r, value, ...grads]);
        return out;
      };
      const wasm = await run('wasm');
      const cpu = await run('cpu');
      expect(wasm.length).toBe(6);
      wasm.forEach((v, i) => expect(relErr(v, cpu[i]!), `output ${i}`).toBeLessThan(TOL));
    });
  }
});

describe('inference kernels vs cpu: FusedBatchNorm with statistics, spatial Mean', () => {
  const cases: Array<[string, (x: tf.Tensor4D) => tf.Tensor]> = [
    ['batchNorm with scale and offset', (x) => tf.batchNorm(x, tf.tensor1d(randArray([6], 41)),
      tf.tensor1d(randArray([6], 42).map(Math.abs)), tf.tensor1d(randArray([6], 43)), tf.tensor1d(randArray([6], 44)), 1e-3)],
    ['batchNorm without scale and offset', (x) => tf.batchNorm(x, tf.tensor1d(randArray([6], 41)),
      tf.tensor1d(randArray([6], 42).map(Math.abs)))],
    ['batchNorm with a scalar mean (falls back)', (x) => tf.batchNorm(x, tf.scalar(0.5), tf.scalar(2))],
    ['mean over H, W', (x) => tf.mean(x, [1, 2])],
    ['mean over H, W (negative axes, keepDims)', (x) => tf.mean(x, [-2, -3], true)],
    ['mean over W only (falls back)', (x) => tf.mean(x, 2)],
    ['mean over everything (falls back)', (x) => tf.mean(x)],
  ];
  for (const [name, f] of cases) {
    it(name, async () => {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => f(tf.tensor4d(randArray([3, 7, 5, 6], 40), [3, 7, 5, 6])).dataSync() as Float32Array);
      };
      expect(relErr(await run('wasm'), await run('cpu'))).toBeLessThan(TOL);
    });
  }
});

describe('Concat (native for float32) vs cpu, exactly', () => {
  const cases: Array<[string, number[][], number, tf.DataType]> = [
    ['NHWC channels (a DenseNet layer)', [[3, 5, 4, 6], [3, 5, 4, 2]], 3, 'float32'],
    ['middle axis, three inputs', [[2, 3, 4, 5], [2, 1, 4, 5], [2, 2, 4, 5]], 1, 'float32'],
    ['first axis', [[6], [3]], 0, 'float32'],
    ['an empty input', [[2, 0, 3], [2, 4, 3]], 1, 'float32'],
    ['negative axis', [[4, 3], [4, 3]], -1, 'float32'],
    ['int32 (falls back)', [[2, 2], [2, 1]], 1, 'int32'],
  ];
  for (const [name, shapes, axis, dtype] of cases) {
    it(name, async () => {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => tf.concat(shapes.map((s, i) => tf.cast(tf.tensor(randArray(s, 50 + i), s), dtype)), axis).dataSync());
      };
      expect(Array.from(await run('wasm'))).toEqual(Array.from(await run('cpu')));
    });
  }
});

describe('native kernels in a training step', () => {
  /** Weights after two SGD steps of a small conv-bn-pool network on wasm. */
  async function twoSteps(): Promise<Float32Array[]> {
    await tf.setBackend('wasm');
    const w1 = tf.tidy(() => tf.variable(tf.tensor4d(randArray([3, 3, 3, 8], 31).map((v) => v * 0.3), [3, 3, 3, 8])));
    const w2 = tf.tidy(() => tf.variable(tf.tensor4d(randArray([3, 3, 8, 16], 32).map((v) => v * 0.1), [3, 3, 8, 16])));
    const dw = tf.tidy(() => tf.variable(tf.tensor4d(randArray([3, 3, 16, 1], 33).map((v) => v * 0.3), [3, 3, 16, 1])));
    const g = tf.tidy(() => tf.variable(tf.ones([8]))), b = tf.tidy(() => tf.variable(tf.zeros([8])));
    const x = tf.tensor4d(randArray([4, 15, 13, 3], 34), [4, 15, 13, 3]);
    const opt = tf.train.sgd(0.1);
    for (let i = 0; i < 2; i++) {
      opt.minimize(() => {
        const h = tf.relu(batchNormTrain(tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same'), g, b, 1e-5)) as tf.Tensor4D;
        const p = tf.maxPool(h, 3, 2, 'same');
        const q = tf.depthwiseConv2d(tf.conv2d(p, w2 as tf.Tensor4D, 2, 'same'), dw as tf.Tensor4D, 1, 'same');
        return tf.mean(tf.square(tf.avgPool(q, 2, 1, 'valid'))) as tf.Scalar;
      });
    }
    const out = [w1, w2, dw, g, b].map((v) => v.dataSync() as Float32Array);
    tf.dispose([w1, w2, dw, g, b, x]);
    opt.dispose();
    return out;
  }

  it('gives bit-identical weights when repeated, and agrees with the pure wasm kernels', async () => {
    const before = tf.memory().numTensors;
    const a = await twoSteps();
    const b = await twoSteps();
    a.forEach((v, i) => expect(Buffer.from(v.buffer).equals(Buffer.from(b[i]!.buffer)), `weights ${i}`).toBe(true));
    expect(tf.memory().numTensors).toBe(before);
    const wasOn = nativeKernelsEnabled();
    setNativeKernels(false);
    try {
      const pure = await twoSteps();
      a.forEach((v, i) => expect(relErr(v, pure[i]!), `weights ${i}`).toBeLessThan(1e-3));
    } finally {
      setNativeKernels(wasOn);
    }
    expect(nativeKernelsEnabled()).toBe(wasOn);
  });

  it('frees every wasm buffer it allocates', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const ids = backend.numDataIds();
    await twoSteps();
    expect(backend.numDataIds()).toBe(ids);
  });
});
