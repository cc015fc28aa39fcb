// Parity of chanlab's wasm conv-gradient kernels (Conv2DBackpropFilter, Conv2DBackpropInput,
// DepthwiseConv2dNativeBackpropFilter/Input) with tfjs's cpu backend, plus leak checks.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseBackends, useBackend } from '../../src/backend/index.js';
import { naiveConvGrads, naiveDepthwiseGrads, type Pad, randArray, relDiff, valuesOn } from './conv_ref.js';

const TOL = 1e-4;
type Shape4 = [number, number, number, number];

interface Case {
  x: Shape4; // [B,H,W,C]
  k: [number, number];
  outC: number; // output channels (regular) or channel multiplier (depthwise)
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: Pad;
}

const REGULAR: Case[] = [
  { x: [2, 7, 9, 3], k: [3, 3], outC: 5, strides: 1, dilations: 1, pad: 'same' },
  { x: [2, 7, 9, 3], k: [3, 3], outC: 5, strides: 2, dilations: 1, pad: 'same' },
  { x: [3, 9, 7, 4], k: [3, 2], outC: 6, strides: 2, dilations: 1, pad: 'valid' },
  { x: [2, 9, 7, 5], k: [3, 3], outC: 4, strides: [2, 1], dilations: 1, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
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
  { x: [2, 7, 9, 3], k: [3, 3], outC: 1, strides: 1, dilations: 1, pad: 'same' },
  { x: [2, 7, 9, 3], k: [3, 3], outC: 2, strides: 2, dilations: 1, pad: 'same' },
  { x: [3, 9, 7, 4], k: [3, 2], outC: 1, strides: 2, dilations: 1, pad: 'valid' },
  { x: [2, 9, 7, 5], k: [3, 3], outC: 2, strides: [1, 2], dilations: 1, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  { x: [1, 11, 10, 6], k: [5, 5], outC: 1, strides: 3, dilations: 1, pad: 2 },
  { x: [2, 8, 8, 16], k: [3, 3], outC: 2, strides: 2, dilations: 1, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
];

function label(c: Case): string {
  return `x=${c.x} k=${c.k} out=${c.outC} s=${c.strides} d=${c.dilations} pad=${JSON.stringify(c.pad)}`;
}

function convInfo(c: Case, depthwise: boolean): tf.backend_util.Conv2DInfo {
  const filter: Shape4 = [c.k[0], c.k[1], c.x[3], c.outC];
  return tf.backend_util.computeConv2DInfo(c.x, filter, c.strides, c.dilations, c.pad, undefined, depthwise);
}

function data(c: Case, depthwise: boolean) {
  const info = convInfo(c, depthwise);
  const filterShape: Shape4 = [c.k[0], c.k[1], c.x[3], c.outC];
  return {
    info, filterShape,
    xv: randArray(c.x, 1), wv: randArray(filterShape, 2), dyv: randArray(info.outShape, 3),
  };
}

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

async function parity(f: () => tf.Tensor): Promise<number> {
  const wasm = await valuesOn('wasm', () => tf.tidy(f));
  const cpu = await valuesOn('cpu', () => tf.tidy(f));
  return relDiff(wasm, cpu);
}

beforeAll(async () => {
  await useBackend('cpu');
  await useBackend('wasm');
});
afterAll(() => releaseBackends());

describe('wasm Conv2DBackpropFilter / Conv2DBackpropInput vs cpu', () => {
  for (const c of REGULAR) {
    it(`filter grad ${label(c)}`, async () => {
      expect(await parity(regularFilterGrad(c, data(c, false)))).toBeLessThan(TOL);
    });
    it(`input grad ${label(c)}`, async () => {
      expect(await parity(regularInputGrad(c, data(c, false)))).toBeLessThan(TOL);
    });
  }
});

describe('wasm Conv2DBackprop* with dilations vs a naive reference', () => {
  for (const c of DILATED) {
    it(label(c), async () => {
      const d = data(c, false);
      const ref = naiveConvGrads(d.xv, c.x, d.wv, d.filterShape, d.dyv, d.info);
      expect(relDiff(await valuesOn('wasm', regularFilterGrad(c, d)), ref.dw)).toBeLessThan(TOL);
      expect(relDiff(await valuesOn('wasm', regularInputGrad(c, d)), ref.dx)).toBeLessThan(TOL);
    });
  }
  it('the naive reference agrees with cpu on an undilated case', async () => {
    const c = REGULAR[3]!;
    const d = data(c, false);
    const ref = naiveConvGrads(d.xv, c.x, d.wv, d.filterShape, d.dyv, d.info);
    expect(relDiff(await valuesOn('cpu', regularFilterGrad(c, d)), ref.dw)).toBeLessThan(TOL);
    expect(relDiff(await valuesOn('cpu', regularInputGrad(c, d)), ref.dx)).toBeLessThan(TOL);
  });
});

describe('wasm DepthwiseConv2dNativeBackpropFilter / Input vs cpu', () => {
  for (const c of DEPTHWISE) {
    it(`filter grad ${label(c)}`, async () => {
      expect(await parity(depthwiseFilterGrad(c, data(c, true)))).toBeLessThan(TOL);
    });
    it(`input grad ${label(c)}`, async () => {
      expect(await parity(depthwiseInputGrad(c, data(c, true)))).toBeLessThan(TOL);
    });
  }
});

describe('wasm depthwise backprop with dilations vs a naive reference', () => {
  for (const c of DEPTHWISE_DILATED) {
    it(label(c), async () => {
      const d = data(c, true);
      const ref = naiveDepthwiseGrads(d.xv, c.x, d.wv, d.filterShape, d.dyv, d.info);
      expect(relDiff(await valuesOn('wasm', depthwiseFilterGrad(c, d)), ref.dw)).toBeLessThan(TOL);
      expect(relDiff(await valuesOn('wasm', depthwiseInputGrad(c, d)), ref.dx)).toBeLessThan(TOL);
    });
  }
  it('the naive reference agrees with cpu on an undilated case', async () => {
    const c = DEPTHWISE[3]!;
    const d = data(c, true);
    const ref = naiveDepthwiseGrads(d.xv, c.x, d.wv, d.filterShape, d.dyv, d.info);
    expect(relDiff(await valuesOn('cpu', depthwiseFilterGrad(c, d)), ref.dw)).toBeLessThan(TOL);
    expect(relDiff(await valuesOn('cpu', depthwiseInputGrad(c, d)), ref.dx)).toBeLessThan(TOL);
  });
});

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
