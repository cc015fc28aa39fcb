// SGD and LAMB against PyTorch (torch.optim.SGD; timm's Lamb transcribed in oracle.py): same initial weights, same
// gradients, same per-step learning rates → same weights after each of 3 steps.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/core/rng.js';
import { createModel } from '../../src/zoo/index.js';
import { oracle } from './oracle.js';
import { Lamb, paramGroups, SGD, type Optimizer, type ParamEntry } from '../../src/train/optim.js';

const SHAPES: Record<string, number[]> = { 'conv.weight': [3, 3, 2, 4], 'bn.weight': [4], 'fc.bias': [3], 'zero.weight': [2, 3] };
const DECAY = ['conv.weight', 'zero.weight'];

function setup(rng: Rng, wd: number) {
  const init: Record<string, { shape: number[]; data: number[] }> = {};
  const params: ParamEntry[] = [];
  for (const [name, shape] of Object.entries(SHAPES)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = name === 'zero.weight' ? new Float32Array(n) : rng.fillNormal(new Float32Array(n), 0, 0.5);
    init[name] = { shape, data: Array.from(data) };
    params.push({ name, variable: tf.variable(tf.tensor(data, shape)), weightDecay: DECAY.includes(name) ? wd : 0 });
  }
  const grads = [1, 1, 0.01].map((scale) =>
    Object.fromEntries(Object.entries(SHAPES).map(([name, shape]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return [name, Array.from(rng.fillNormal(new Float32Array(n), 0, scale))];
    })),
  );
  return { init, params, grads };
}

function runOurs(opt: Optimizer, params: ParamEntry[], grads: Record<string, number[]>[], lrs: number[]): Record<string, number[]>[] {
  return grads.map((g, i) => {
    const m = new Map(Object.entries(g).map(([k, v]) => [k, tf.tensor(v, SHAPES[k])]));
    opt.lr = lrs[i]!;
    opt.step(m);
    tf.dispose([...m.values()]);
    return Object.fromEntries(params.map((p) => [p.name, Array.from(p.variable.dataSync())]));
  });
}

function expectClose(ours: Record<string, number[]>[], theirs: Record<string, number[]>[], tol: number) {
  expect(ours.length).toBe(theirs.length);
  let worst = 0;
  ours.forEach((step, s) => {
    for (const [k, v] of Object.entries(step)) {
      const t = theirs[s]![k]!;
      expect(v.length).toBe(t.length);
      v.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - t[i]!) / Math.max(1, Math.abs(t[i]!)))));
    }
  });
  expect(worst).toBeLessThan(tol);
  // the update did something
  expect(ours[2]!['conv.weight']).not.toEqual(ours[0]!['conv.weight']);
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('SGD vs torch.optim.SGD', () => {
  for (const [label, cfg] of [
    ['nesterov + wd groups', { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-2 }],
    ['heavy-ball momentum', { lr: 0.05, momentum: 0.875, nesterov: false, weightDecay: 3.0517578125e-5 }],
    ['dampening 0.5', { lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0, dampening: 0.5 }],
    ['plain', { lr: 0.3, momentum: 0, nesterov: false, weightDecay: 1e-4 }],
  ] as const) {
    it(label, () => {
      const { init, params, grads } = setup(new Rng(11), cfg.weightDecay);
      const lrs = [cfg.lr, cfg.lr * 0.5, cfg.lr * 0.25];
      const opt = new SGD(params, { lr: cfg.lr, momentum: cfg.momentum, nesterov: cfg.nesterov, dampening: 'dampening' in cfg ? cfg.dampening : 0 });
      const ours = runOurs(opt, params, grads, lrs);
      const theirs = oracle<Record<string, number[]>[]>({ op: 'sgd', params: init, grads, lrs, decay: DECAY, config: cfg });
      expectClose(ours, theirs, 1e-6);
    });
  }
});

describe('LAMB vs timm Lamb', () => {
  it('clipping, bias correction, trust ratio on decayed groups, Adam step on the others', () => {
    const cfg = { lr: 3.5e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.35, maxGradNorm: 1.0 };
    const { init, params, grads } = setup(new Rng(5), cfg.weightDecay);
    const lrs = [1e-3, 3.5e-3, 2e-3];
    const opt = new Lamb(params, { lr: cfg.lr, betas: [0.9, 0.999], eps: cfg.eps, maxGradNorm: cfg.maxGradNorm });
    const ours = runOurs(opt, params, grads, lrs);
    const theirs = oracle<Record<string, number[]>[]>({ op: 'lamb', params: init, grads, lrs, decay: DECAY, config: cfg });
    expectClose(ours, theirs, 2e-6);
    // optimiser state round trip: a fresh optimiser loaded with the state continues identically
    const { params: p2 } = setup(new Rng(5), cfg.weightDecay);
    p2.forEach((p, i) => p.variable.assign(params[i]!.variable));
    const opt2 = new Lamb(p2, { lr: 1e-3, eps: 1e-8 });
    opt2.loadState(opt.state());
    opt2.lr = opt.lr; // the lr comes from the schedule, not the state
    const g = new Map(Object.entries(grads[0]!).map(([k, v]) => [k, tf.tensor(v, SHAPES[k])]));
    opt.step(g);
    opt2.step(g);
    params.forEach((p, i) => expect(Array.from(p2[i]!.variable.dataSync())).toEqual(Array.from(p.variable.dataSync())));
    expect(opt2.t).toBe(4);
  });

  it('rejects state of another model', () => {
    const { params } = setup(new Rng(1), 0.1);
    const opt = new Lamb(params, { lr: 1 });
    const bad = new Map([['conv.weight.exp_avg', tf.zeros([3])]]);
    expect(() => opt.loadState({ meta: { step: 1 }, tensors: bad })).toThrow(/conv.weight.exp_avg.*shape/);
    const unknown = new Map([['other.weight.exp_avg', tf.zeros([3])]]);
    expect(() => opt.loadState({ meta: { step: 1 }, tensors: unknown })).toThrow(/unexpected tensor 'other.weight.exp_avg'/);
  });
});

describe('weight-decay filters', () => {
  it('no_bias_1d (timm), no_bn_name (NVIDIA/CHEX), all (DGC)', () => {
    const model = createModel('resnet8_small', { widths: [2, 2, 2], inChannels: 1 });
    const decayed = (f: 'all' | 'no_bias_1d' | 'no_bn_name') => paramGroups(model, 0.1, f).filter((p) => p.weightDecay > 0).map((p) => p.name);
    const all = paramGroups(model, 0.1, 'all');
    expect(decayed('all').length).toBe(all.length);
    const timm = decayed('no_bias_1d');
    expect(timm).toContain('conv1.weight');
    expect(timm).toContain('fc.weight');
    expect(timm).toContain('layer2.0.downsample.0.weight');
    expect(timm.some((n) => n.includes('bn') || n.endsWith('.bias') || n.startsWith('layer2.0.downsample.1'))).toBe(false);
    const nv = decayed('no_bn_name');
    expect(nv).toContain('fc.bias');
    expect(nv).toContain('layer2.0.downsample.1.weight'); // a BN whose name lacks 'bn' (as in the CHEX code)
    expect(nv.some((n) => n.includes('bn'))).toBe(false);
    expect(() => paramGroups(model, 0.1, 'nope' as 'all')).toThrow(/weightDecayFilter/);
    model.dispose();
  });
});
