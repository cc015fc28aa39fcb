// Parity of chanlab's wasm conv-gradient kernels (Conv2DBackpropFilter, Conv2DBackpropInput,
// DepthwiseConv2dNativeBackpropFilter/Input) with tfjs's cpu backend, plus leak checks.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { withBackends } from '../helpers/backends.js';
import { randArray, relErr } from '../helpers/tensors.js';
import { type ConvCase as Case, convData as data, convLabel as label, FIRST_DEPTHWISE, FIRST_REGULAR, naiveConvGrads,
  naiveDepthwiseGrads, parityWithCpu, valuesOn } from './conv_ref.js';

const TOL = 1e-4;

const REGULAR: Case[] = [
  ...FIRST_REGULAR,
  { x: [2, 8, 8, 16], k: [3, 3], outC: 8, strides: 2, dilations: 1, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  { x: [1, 11, 10, 2], k: [5, 5], outC: 3, strides: 3, dilations: 1, pad: 1 },
  { x: [2, 6, 6, 32], k: [1, 1], outC: 24, strides: 2, dilations: 1, pad: 'valid' },
  { x: [4, 5, 5, 7], k: [1, 1], outC: 9, strides: 1, dilations: 1, pad: 'valid' },
  { x: [2, 4, 3, 3], k: [4, 3], outC: 2, strides: 1, dilations: 1, pad: 'same' },
  // Large enough for the filter gradient to be cut into image chunks, then also into tap chunks (~4 MB each).
  { x: [8, 32, 32, 16], k: [3, 3], outC: 8, strides: 1, dilations: 1, pad: 'same' },
  { x: [2, 64, 64, 32], k: [3, 3], outC: 4, strides: 1, dilations: 1, pad: 'same' },
];

const DILATED: Case[] = [
  { x: [2, 9, 7, 3], k: [3, 3], outC: 4, strides: 1, dilations: 2, pad: 'same' },
  { x: [2, 11, 10, 3], k: [3, 2], outC: 5, strides: 1, dilations: [2, 3], pad: 'valid' },
  { x: [2, 9, 9, 2], k: [3, 3], outC: 3, strides: 2, dilations: 2, pad: [[0, 0], [1, 3], [2, 0], [0, 0]] },
];

const DEPTHWISE_DILATED: Case[] = [
  { x: [2, 9, 9, 3], k: [3, 3], outC: 1, strides: 1, dilations: 2, pad: 'same' },
  { x: [2, 10, 11, 2], k: [3, 3], outC: 2, strides: 1, dilations: [2, 3], pad: 'valid' },
  { x: [2, 11, 9, 2], k: [3, 2], outC: 2, strides: 2, dilations: 2, pad: [[0, 0], [0, 2], [3, 1], [0, 0]] },
  // stride 2 with dilation 2 takes the im2col path; this one is cut into image chunks.
  { x: [6, 64, 64, 32], k: [3, 3], outC: 2, strides: 2, dilations: 2, pad: 'same' },
];

const DEPTHWISE: Case[] = [
  ...FIRST_DEPTHWISE,
  { x: [3, 9, 7, 4], k: [3, 2], outC: 1, strides: 2, dilations: 1, pad: 'valid' },
  { x: [2, 9, 7, 5], k: [3, 3], outC: 2, strides: [1, 2], dilations: 1, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  { x: [1, 11, 10, 6], k: [5, 5], outC: 1, strides: 3, dilations: 1, pad: 2 },
  { x: [2, 8, 8, 16], k: [3, 3], outC: 2, strides: 2, dilations: 1, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
];

function regularFilterGrad(c: Case, d: ReturnType<typeof data>): () => tf.Tensor {
  return () => tf.engine().runKernel('Conv2DBackpropFilter',
    { x: tf.tensor(d.xv, c.x), dy: tf.tensor(d.dyv, d.info.outShape) },
    { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: d.filterShape, dilations: c.dilations } as never,
  ) as tf.Tensor;
}

function regularInputGrad(c: Case, d: ReturnType<typeof data>): () => tf.Tensor {
  return () => tf.engine().runKernel('Conv2DBackpropInput',
    { dy: tf.tensor(d.dyv, d.info.outShape), filter: tf.tensor(d.wv, d.filterShape) },
    { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x, dilations: c.dilations } as never,
  ) as tf.Tensor;
}

function depthwiseFilterGrad(c: Case, d: ReturnType<typeof data>): () => tf.Tensor {
  return () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter',
    { x: tf.tensor(d.xv, c.x), dy: tf.tensor(d.dyv, d.info.outShape) },
    { strides: c.strides, pad: c.pad, dilations: c.dilations, filterShape: d.filterShape } as never,
  ) as tf.Tensor;
}

function depthwiseInputGrad(c: Case, d: ReturnType<typeof data>): () => tf.Tensor {
  return () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput',
    { dy: tf.tensor(d.dyv, d.info.outShape), filter: tf.tensor(d.wv, d.filterShape) },
    { strides: c.strides, pad: c.pad, dilations: c.dilations, inputShape: c.x } as never,
  ) as tf.Tensor;
}

const parity = (f: () => tf.Tensor) => parityWithCpu('wasm', f);

withBackends('cpu', 'wasm');

// [kernels, short name, depthwise, their cases, cases with dilation (against the naive reference), the naive
//  reference, filter grad, input grad]
const KINDS = [
  ['Conv2DBackpropFilter / Conv2DBackpropInput', 'Conv2DBackprop*', false, REGULAR, DILATED, naiveConvGrads,
    regularFilterGrad, regularInputGrad],
  ['DepthwiseConv2dNativeBackpropFilter / Input', 'depthwise backprop', true, DEPTHWISE, DEPTHWISE_DILATED, naiveDepthwiseGrads,
    depthwiseFilterGrad, depthwiseInputGrad],
] as const;

for (const [kernels, short, depthwise, cases, dilated, naive, filterGrad, inputGrad] of KINDS) {
  const reference = (c: Case, d: ReturnType<typeof data>) => naive(d.xv, c.x, d.wv, d.filterShape, d.dyv, d.info);
  describe(`wasm ${kernels} vs cpu`, () => {
    for (const c of cases) {
      it(`filter grad ${label(c)}`, async () => {
        expect(await parity(filterGrad(c, data(c, depthwise)))).toBeLessThan(TOL);
      });
      it(`input grad ${label(c)}`, async () => {
        expect(await parity(inputGrad(c, data(c, depthwise)))).toBeLessThan(TOL);
      });
    }
  });
  describe(`wasm ${short} with dilations vs a naive reference`, () => {
    const check = async (backend: string, c: Case) => {
      const d = data(c, depthwise);
      const ref = reference(c, d);
      expect(relErr(await valuesOn(backend, filterGrad(c, d)), ref.dw)).toBeLessThan(TOL);
      expect(relErr(await valuesOn(backend, inputGrad(c, d)), ref.dx)).toBeLessThan(TOL);
    };
    for (const c of dilated) it(label(c), () => check('wasm', c));
    it('the naive reference agrees with cpu on an undilated case', () => check('cpu', cases[3]!));
  });
}

describe('wasm conv-gradient kernels through tf.grads', () => {
  it('conv2d and depthwiseConv2d gradients match cpu', async () => {
    const xv = randArray([2, 9, 7, 4], 11), wv = randArray([3, 3, 4, 6], 12), dv = randArray([3, 3, 4, 2], 13);
    const f = (which: number) => () => {
      const x = tf.tensor4d(xv, [2, 9, 7, 4]), w = tf.tensor4d(wv, [3, 3, 4, 6]), dw = tf.tensor4d(dv, [3, 3, 4, 2]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same');
        const z = tf.depthwiseConv2d(a as tf.Tensor4D, c as tf.Tensor4D, [1, 2], [[0, 0], [1, 0], [0, 1], [0, 0]]);
        return tf.add(tf.sum(tf.square(y)), tf.sum(tf.sin(z)));
      })([x, w, dw]);
      return g[which]!;
    };
    for (const which of [0, 1, 2]) expect(await parity(f(which))).toBeLessThan(TOL);
  });
});

describe('no leaks', () => {
  it('leaves tensor and wasm data-id counts unchanged', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const c = DEPTHWISE[1]!;
    const r = REGULAR[4]!;
    const dd = data(c, true), dr = data(r, false);
    const inputs = [tf.tensor(dr.xv, r.x), tf.tensor(dr.dyv, dr.info.outShape), tf.tensor(dr.wv, dr.filterShape),
      tf.tensor(dd.xv, c.x), tf.tensor(dd.dyv, dd.info.outShape), tf.tensor(dd.wv, dd.filterShape)];
    const [xr, dyr, wr, xd, dyd, wd] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const run = () => {
      const outs = [
        tf.engine().runKernel('Conv2DBackpropFilter', { x: xr, dy: dyr },
          { strides: r.strides, pad: r.pad, dataFormat: 'NHWC', filterShape: dr.filterShape } as never),
        tf.engine().runKernel('Conv2DBackpropInput', { dy: dyr, filter: wr },
          { strides: r.strides, pad: r.pad, dataFormat: 'NHWC', inputShape: r.x } as never),
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xd, dy: dyd },
          { strides: c.strides, pad: c.pad, dilations: 1, filterShape: dd.filterShape } as never),
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyd, filter: wd },
          { strides: c.strides, pad: c.pad, dilations: 1, inputShape: c.x } as never),
      ] as tf.Tensor[];
      for (const o of outs) o.dataSync();
      tf.dispose(outs);
    };
    run();
    const tensors = tf.memory().numTensors, ids = backend.numDataIds();
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(ids);
    // Outputs that are kept stay valid after the intermediates are gone.
    const kept = tf.engine().runKernel('Conv2DBackpropFilter', { x: xr, dy: dyr },
      { strides: r.strides, pad: r.pad, dataFormat: 'NHWC', filterShape: dr.filterShape } as never) as tf.Tensor;
    expect(kept.shape).toEqual(dr.filterShape);
    expect(Number.isFinite((await kept.data())[0])).toBe(true);
    kept.dispose();
    tf.dispose(inputs);
    expect(tf.memory().numTensors).toBe(tensors - inputs.length);
    expect(backend.numDataIds()).toBe(ids - inputs.length);
  });
});
