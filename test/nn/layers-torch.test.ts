// Layers against PyTorch 1.13 (the independent oracle): same weights and input, same output (and BN running stats).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, type Module } from '../../src/nn/index.js';
import { torchOracle } from '../helpers/torch.js';
import { randn, relErr } from '../helpers/tensors.js';

interface Out { y: number[]; shape: number[]; extra?: Record<string, number[]> }

/** Runs `expr` (a torch module built from `ctor`) on x (NCHW) with our state dict; returns NCHW output. */
function torchRun(ctor: string, m: Module, xNhwc: tf.Tensor, train = false): Out {
  const sd: Record<string, { v: number[]; s: number[] }> = {};
  for (const [k, t] of m.stateDict()) {
    sd[k] = { v: Array.from(t.dataSync()), s: t.shape };
    t.dispose();
  }
  const xt = xNhwc.rank === 4 ? tf.transpose(xNhwc, [0, 3, 1, 2]) : xNhwc.clone();
  const input = { sd, x: Array.from(xt.dataSync()), xs: xt.shape, train };
  xt.dispose();
  return torchOracle<Out>(`
import collections
m = ${ctor}
sd = collections.OrderedDict((k, torch.tensor(v['v']).reshape(v['s'])) for k, v in inp['sd'].items())
if 'num_batches_tracked' in ''.join(sd.keys()):
    sd = collections.OrderedDict((k, t.long() if k.endswith('num_batches_tracked') else t) for k, t in sd.items())
m.load_state_dict(sd)
m.train(inp['train'])
x = torch.tensor(inp['x'], dtype=torch.float32).reshape(inp['xs'])
with torch.no_grad():
    y = m(x)
extra = {k: v.flatten().tolist() for k, v in m.state_dict().items() if k.startswith('running')}
out = {'y': y.flatten().tolist(), 'shape': list(y.shape), 'extra': extra}
`, input);
}

function ours(m: Module, x: tf.Tensor): { y: Float32Array; shape: number[] } {
  const y = m.call(x);
  const yt = y.rank === 4 ? tf.transpose(y, [0, 3, 1, 2]) : y;
  const out = { y: yt.dataSync() as Float32Array, shape: yt.shape };
  tf.dispose([y, yt]);
  return out;
}

beforeAll(async () => {
  await useBackend('wasm');
});

describe('Conv2d vs torch.nn.Conv2d', () => {
  const cases: Array<[string, ConstructorParameters<typeof Conv2d>[0], number[]]> = [
    ['3x3 stride 2 pad 1', { inChannels: 4, outChannels: 6, kernelSize: 3, stride: 2, padding: 1 }, [2, 9, 7, 4]],
    ['7x7 stride 2 pad 3 no bias', { inChannels: 3, outChannels: 5, kernelSize: 7, stride: 2, padding: 3, bias: false }, [1, 13, 11, 3]],
    ['groups 2 stride 2', { inChannels: 6, outChannels: 4, kernelSize: 3, stride: 2, padding: 1, groups: 2 }, [2, 8, 9, 6]],
    ['depthwise multiplier 2', { inChannels: 3, outChannels: 6, kernelSize: 3, padding: 1, groups: 3 }, [2, 5, 6, 3]],
    ['dilation 2', { inChannels: 2, outChannels: 3, kernelSize: 3, padding: 2, dilation: 2 }, [1, 9, 9, 2]],
    ['rect kernel, padding same', { inChannels: 2, outChannels: 3, kernelSize: [1, 4], padding: 'same' }, [1, 5, 6, 2]],
  ];
  it.each(cases)('%s', (_, opts, xs) => {
    const m = new Conv2d(opts);
    const x = randn(xs, 7);
    const a = ours(m, x);
    const pad = opts.padding === 'same' ? "'same'" : JSON.stringify(opts.padding ?? 0).replace('[', '(').replace(']', ')');
    const k = JSON.stringify(opts.kernelSize).replace('[', '(').replace(']', ')');
    const b = torchRun(`torch.nn.Conv2d(${opts.inChannels}, ${opts.outChannels}, ${k}, stride=${opts.stride ?? 1}, ` +
      `padding=${pad}, dilation=${opts.dilation ?? 1}, groups=${opts.groups ?? 1}, bias=${opts.bias ?? true ? 'True' : 'False'})`, m, x);
    expect(a.shape).toEqual(b.shape);
    expect(relErr(a.y, b.y, 1)).toBeLessThan(1e-5);
    m.dispose();
    x.dispose();
  });
});

describe('BatchNorm2d vs torch.nn.BatchNorm2d', () => {
  it('training: batch statistics and running-stat update (unbiased variance, momentum 0.1)', () => {
    const m = new BatchNorm2d(5);
    m.weight!.reset(randn([5], 3));
    m.bias!.reset(randn([5], 4));
    const x = tf.tidy(() => tf.add(tf.mul(randn([3, 4, 5, 5], 9), 2), 1));
    const b = torchRun('torch.nn.BatchNorm2d(5)', m, x, true);
    const a = ours(m, x);
    expect(relErr(a.y, b.y, 1)).toBeLessThan(1e-5);
    expect(relErr(m.runningMean!.variable.dataSync(), b.extra!['running_mean']!, 1)).toBeLessThan(1e-6);
    expect(relErr(m.runningVar!.variable.dataSync(), b.extra!['running_var']!, 1)).toBeLessThan(1e-6);
    expect(m.numBatchesTracked!.variable.dataSync()[0]).toBe(1);
  });
  it('eval uses running statistics', () => {
    const m = new BatchNorm2d({ numFeatures: 4, eps: 1e-3 });
    m.runningMean!.assign(tf.tensor([0.5, -1, 2, 0]));
    m.runningVar!.assign(tf.tensor([1, 4, 0.25, 2]));
    m.eval();
    const x = randn([2, 3, 3, 4], 11);
    const a = ours(m, x);
    const b = torchRun('torch.nn.BatchNorm2d(4, eps=1e-3)', m, x, false);
    expect(relErr(a.y, b.y, 1)).toBeLessThan(1e-6);
  });
});

describe('pools and linear vs torch', () => {
  // [test, our module, the torch module, input NHWC (or [N, F]), input seed, bound on relErr(ours, torch, 1); 0: exact]
  const cases: Array<[string, () => Module, string, number[], number, number]> = [
    ['MaxPool2d 3/2 pad 1 (ResNet stem) on odd sizes', () => new MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 }),
      'torch.nn.MaxPool2d(3, 2, 1)', [2, 11, 8, 3], 5, 0],
    ['AvgPool2d with padding counts padded zeros (count_include_pad=True)', () => new AvgPool2d({ kernelSize: 3, stride: 2, padding: 1 }),
      'torch.nn.AvgPool2d(3, 2, 1)', [1, 7, 6, 2], 6, 1e-6],
    ['AdaptiveAvgPool2d to a non-divisible size', () => new AdaptiveAvgPool2d([3, 2]),
      'torch.nn.AdaptiveAvgPool2d((3, 2))', [2, 7, 5, 3], 8, 1e-6],
    ['Linear', () => new Linear({ inFeatures: 6, outFeatures: 4 }), 'torch.nn.Linear(6, 4)', [3, 6], 2, 1e-6],
  ];
  it.each(cases)('%s', (_, make, ctor, xs, seed, tol) => {
    const m = make();
    const x = randn(xs, seed);
    const a = ours(m, x);
    const b = torchRun(ctor, m, x);
    expect(a.shape).toEqual(b.shape);
    const err = relErr(a.y, b.y, 1);
    if (tol === 0) expect(err).toBe(0);
    else expect(err).toBeLessThan(tol);
  });
});

describe('bad input', () => {
  it('names the parameter and the expected value', () => {
    expect(() => new Conv2d({ inChannels: 6, outChannels: 4, kernelSize: 3, groups: 4 })).toThrow(/groups \(4\) must divide inChannels \(6\)/);
    expect(() => new Conv2d({ inChannels: 4, outChannels: 6, kernelSize: 3, groups: 4 })).toThrow(/groups \(4\) must divide outChannels \(6\)/);
    expect(() => new Conv2d({ inChannels: 0, outChannels: 6, kernelSize: 3 })).toThrow(/inChannels must be a positive integer, got 0/);
    expect(() => new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 3, stride: 2, padding: 'same' })).toThrow(/'same' requires stride 1/);
    const c = new Conv2d({ inChannels: 3, outChannels: 2, kernelSize: 1 });
    expect(() => c.call(tf.zeros([1, 4, 4, 5]))).toThrow(/must have 3 channels.*\[1,4,4,5\]/);
    expect(() => c.call(tf.zeros([4, 4, 3]))).toThrow(/rank 4 NHWC/);
    expect(() => new BatchNorm2d(3).call(tf.zeros([1, 1, 1, 3]))).toThrow(/more than 1 value per channel/);
    expect(() => new Linear({ inFeatures: 3, outFeatures: 2 }).call(tf.zeros([2, 4]))).toThrow(/input must be \[N, 3\]/);
  });
});
