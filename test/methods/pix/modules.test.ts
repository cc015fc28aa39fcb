// PiX module, operator layer, E0–E4 variants, baselines (SE, CBAM, FBS, group-conv squeeze), the FLOP counter on
// these modules against the supplement's formulas, and input validation. cpu backend (the reference PiX kernel).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../../src/backend/index.js';
import { Conv2d } from '../../../src/nn/conv.js';
import { Module } from '../../../src/nn/module.js';
import { manualSeed, uniform } from '../../../src/nn/init.js';
import { pix } from '../../../src/ops/pix/index.js';
import {
  CBAM, FBS, GroupConvSqueeze, PiX, PiXLayer, PiXOperator, PiXSampler, SqueezeExcitation,
} from '../../../src/methods/pix/index.js';
import { countFlops, countFlopsMany } from '../../../src/flops/counter.js';
import { cbamFormula, fbsFormula, pixFormula, seFormula, squeezeFormula } from '../../../src/flops/formulas.js';

beforeAll(async () => {
  await useBackend('cpu');
  manualSeed(1);
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

function rand(shape: number[], lo = 0, hi = 1): tf.Tensor4D {
  return uniform(shape, lo, hi) as tf.Tensor4D;
}

describe('PiX module', () => {
  it('official layout: names, G = ceil(C/ζ), no bias, Xavier bound, output shape', () => {
    const m = new PiX({ inChannels: 256, zeta: 4 });
    expect([...m.stateShapes()]).toEqual([['conv_sqz.weight', [64, 256, 1, 1]]]);
    expect(m.children().map((c) => c.typeName)).toEqual(['PiXOperator', 'Conv2d', 'Sigmoid', 'AdaptiveAvgPool2d']);
    const a = Math.sqrt(6 / (256 + 64));
    const w = m.conv_sqz.weight.variable;
    expect(tf.max(tf.abs(w)).dataSync()[0]).toBeLessThanOrEqual(a);
    expect(tf.max(tf.abs(w)).dataSync()[0]).toBeGreaterThan(0.9 * a);
    const y = m.call(rand([2, 5, 5, 256]));
    expect(y.shape).toEqual([2, 5, 5, 64]);
    const odd = new PiX({ inChannels: 10, zeta: 4 });
    expect(odd.outChannels).toBe(3);
    expect(odd.call(rand([1, 2, 2, 10])).shape).toEqual([1, 2, 2, 3]);
  });

  it('PiXLayer is the supplement standalone layer: conv1x1 with bias, PyTorch default init, V4 usage', () => {
    const m = new PiXLayer(24, 4);
    expect([...m.stateShapes()]).toEqual([['conv1x1.weight', [6, 24, 1, 1]], ['conv1x1.bias', [6]]]);
    expect([...m.namedChildren()].map(([k]) => k)).toEqual(['conv1x1', 'pix', 'global_pool', 'sigmoid_sqz']);
    const bound = 1 / Math.sqrt(24);
    expect(tf.max(tf.abs(m.conv1x1.bias!.variable)).dataSync()[0]).toBeLessThanOrEqual(bound);
    // V4: x = ones → every output element equals p[n,g], whichever branch is taken.
    const x = tf.ones([1, 4, 4, 24]);
    const y = m.call(x);
    const p = tf.reshape(m.probabilities(x), [1, 1, 1, 6]);
    expect(maxAbsDiff(y, tf.broadcastTo(p, [1, 4, 4, 6]))).toBeLessThan(1e-6);
  });

  it('forward equals GAP → conv → sigmoid → pix(τ, reduce) computed by hand', () => {
    for (const [reduce, tau] of [['pick-or-mix', 0.5], ['max', 0.5], ['avg', 0.5], ['min', 0.5], ['w-pix', 0.5], ['pick-or-mix', 0.3]] as const) {
      const m = new PiX({ inChannels: 12, zeta: 3, tau, reduce });
      const x = rand([2, 3, 3, 12], -1, 1);
      const p = tf.sigmoid(tf.matMul(tf.mean(x, [1, 2]), tf.reshape(m.conv_sqz.weight.variable, [12, 4])));
      const want = pix(x, p, { zeta: 3, tau, reduce });
      expect(maxAbsDiff(m.call(x), want)).toBeLessThan(1e-6);
      if (reduce === 'max') {
        const byHand = tf.mul(tf.max(tf.reshape(x, [2, 3, 3, 4, 3]), 4), tf.reshape(p, [2, 1, 1, 4]));
        expect(maxAbsDiff(m.call(x), byHand)).toBeLessThan(1e-6);
      }
    }
  });

  it('τ changes which branch runs (E2): τ=0 is always avg, τ=1 always max for p in (0,1)', () => {
    const x = rand([1, 2, 2, 8]);
    const mk = (tau: number) => {
      manualSeed(7);
      return new PiX({ inChannels: 8, zeta: 4, tau });
    };
    const [m0, m1] = [mk(0), mk(1)];
    manualSeed(7);
    const avg = new PiX({ inChannels: 8, zeta: 4, reduce: 'avg' });
    manualSeed(7);
    const max = new PiX({ inChannels: 8, zeta: 4, reduce: 'max' });
    expect(maxAbsDiff(m0.call(x), avg.call(x))).toBeLessThan(1e-7);
    expect(maxAbsDiff(m1.call(x), max.call(x))).toBeLessThan(1e-7);
    expect(maxAbsDiff(m0.call(x), m1.call(x))).toBeGreaterThan(1e-3);
  });

  it('E0: the tanh variant is the sigmoid variant with doubled logits', () => {
    manualSeed(3);
    const t = new PiX({ inChannels: 16, zeta: 4, activation: 'tanh' });
    const s = new PiX({ inChannels: 16, zeta: 4 });
    s.conv_sqz.weight.assign(tf.mul(t.conv_sqz.weight.variable, 2));
    const x = rand([2, 3, 3, 16]);
    expect(maxAbsDiff(t.probabilities(x), s.probabilities(x))).toBeLessThan(1e-6);
    expect(maxAbsDiff(t.call(x), s.call(x))).toBeLessThan(1e-6);
    expect(t.children().map((c) => c.typeName)).toContain('HalfTanh');
    // and not the same function as plain sigmoid on the same weights
    const s1 = new PiX({ inChannels: 16, zeta: 4 });
    s1.conv_sqz.weight.assign(t.conv_sqz.weight.variable);
    expect(maxAbsDiff(t.probabilities(x), s1.probabilities(x))).toBeGreaterThan(1e-4);
  });

  it('E1: BatchNorm on the logits (bn_sqz) normalises over the batch before the sigmoid', () => {
    const m = new PiX({ inChannels: 8, zeta: 2, bnBeforeAct: true });
    expect([...m.stateShapes().keys()]).toEqual(['conv_sqz.weight', 'bn_sqz.weight', 'bn_sqz.bias',
      'bn_sqz.running_mean', 'bn_sqz.running_var', 'bn_sqz.num_batches_tracked']);
    const x = rand([4, 2, 2, 8]);
    const logits = tf.reshape(m.conv_sqz.call(tf.mean(x, [1, 2], true)), [4, 4]);
    const { mean, variance } = tf.moments(logits, 0);
    const want = tf.sigmoid(tf.div(tf.sub(logits, mean), tf.sqrt(tf.add(variance, 1e-5))));
    expect(maxAbsDiff(tf.reshape(m.probabilities(x), [4, 4]), want)).toBeLessThan(1e-5);
    expect(m.bn_sqz!.numBatchesTracked!.variable.dataSync()[0]).toBe(1);
  });

  it('a block extending PiXSampler owns conv_sqz directly (official bottleneck keys), properties = names', () => {
    class Block extends PiXSampler {
      readonly conv_out: Conv2d;
      constructor() {
        super();
        this.addSampler({ inChannels: 8, zeta: 2 }, 'Block');
        this.conv_out = this.addModule('conv_out', new Conv2d({ inChannels: 4, outChannels: 3, kernelSize: 1, bias: false }));
      }
      forward(x: tf.Tensor) { return this.conv_out.call(this.sample(x)); }
    }
    const b = new Block();
    expect([...b.stateShapes().keys()]).toEqual(['conv_sqz.weight', 'conv_out.weight']);
    expect([...b.namedChildren()].map(([k]) => k)).toEqual(['pix', 'conv_sqz', 'sigmoid_sqz', 'global_pool', 'conv_out']);
    for (const [k, m] of b.namedChildren()) expect((b as unknown as Record<string, Module>)[k]).toBe(m);
    expect(b.call(rand([1, 2, 2, 8])).shape).toEqual([1, 2, 2, 3]);
    expect([b.inChannels, b.sampledChannels, b.zeta, b.tau, b.reduce, b.activation]).toEqual([8, 4, 2, 0.5, 'pick-or-mix', 'sigmoid']);
  });

  it('gradients reach conv_sqz through p and x', () => {
    const m = new PiX({ inChannels: 8, zeta: 4 });
    const x = rand([2, 3, 3, 8]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(m.call(x))) as tf.Scalar, m.trainableVariables());
    const g = Object.values(grads)[0]!;
    expect(g.shape).toEqual([1, 1, 8, 2]);
    expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
  });

  it('bad input raises errors naming the parameter', () => {
    expect(() => new PiX({ inChannels: 8, zeta: 0 })).toThrow(/zeta must be a positive integer/);
    expect(() => new PiX({ inChannels: 8, zeta: 1.5 })).toThrow(/zeta must be a positive integer/);
    expect(() => new PiX({ inChannels: 8, zeta: 2, tau: 1.5 })).toThrow(/tau must be a finite number in \[0, 1\]/);
    expect(() => new PiX({ inChannels: 8, zeta: 2, tau: -0.1 })).toThrow(/tau/);
    expect(() => new PiX({ inChannels: 8, zeta: 2, tau: Number.NaN })).toThrow(/tau/);
    expect(() => new PiX({ inChannels: 10, zeta: 4, requireDivisible: true })).toThrow(/divisible by zeta/);
    expect(() => new PiX({ inChannels: 0, zeta: 1 })).toThrow(/inChannels/);
    expect(() => new PiX({ inChannels: 8, zeta: 2, reduce: 'median' as never })).toThrow(/reduce must be one of/);
    expect(() => new PiX({ inChannels: 8, zeta: 2, activation: 'relu' as never })).toThrow(/activation/);
    expect(() => new PiX({ inChannels: 8, zeta: 2 }).call(rand([1, 2, 2, 6]))).toThrow(/\[N,H,W,8\]/);
    expect(() => new PiXOperator(2).call(rand([1, 2, 2, 4]))).toThrow(/callWith/);
    expect(() => new GroupConvSqueeze({ inChannels: 10, zeta: 4 })).toThrow(/divisible by zeta/);
    expect(() => new FBS({ channels: 8, k: 9 })).toThrow(/k must be an integer in \[1, 8\]/);
  });

});

describe('the FLOP counter on the real modules equals the supplement formulas (docs/methods/pix.md §8.1–8.2)', () => {
  const supp = async (m: Module, shape: number[]) => (await countFlops(m, { inputShape: shape, convention: 'pix-supplement' })).totals.macs;

  it('PiX: Table 1 at ζ = 1, ζ = 4, w-PiX (+225 in the squeeze example), E1 BN; params as the formula', async () => {
    const m = new PiX({ inChannels: 512, zeta: 1 });
    expect(await supp(m, [1, 28, 28, 512])).toBe(665_600); // supplement Table 1, PiX@28²
    expect(m.numParameters()).toBe(pixFormula({ C: 512, H: 28, W: 28, zeta: 1 }).params);
    const m4 = new PiX({ inChannels: 256, zeta: 4 });
    expect(await supp(m4, [1, 56, 56, 256])).toBe(pixFormula({ C: 256, H: 56, W: 56, zeta: 4 }).flops);
    const all = await countFlopsMany(m4, ['ptflops', 'torchprofile'], { inputShape: [1, 56, 56, 256] });
    expect(all.get('ptflops')!.totals.macs).toBe(256 * 56 * 56 + 256 * 64); // GAP input + conv_sqz, no PiX hook
    expect(all.get('torchprofile')!.totals.macs).toBe(256 + 256 * 64); // GAP output + conv_sqz, PiX op skipped
    const x = { C: 12, H: 5, W: 5, zeta: 4 };
    const w = new PiX({ inChannels: 12, zeta: 4, reduce: 'w-pix' });
    expect(await supp(w, [1, 5, 5, 12]) - await supp(new PiX({ inChannels: 12, zeta: 4 }), [1, 5, 5, 12])).toBe(225);
    expect(await supp(w, [1, 5, 5, 12])).toBe(pixFormula({ ...x, reduce: 'w-pix' }).flops);
    const bn = new PiX({ inChannels: 12, zeta: 4, bnBeforeAct: true });
    expect(await supp(bn, [1, 5, 5, 12])).toBe(pixFormula({ ...x, bn: true }).flops);
    expect(bn.numParameters()).toBe(pixFormula({ ...x, bn: true }).params);
  });

  it('SE and the grouped squeeze; CBAM/FBS parameters as the formulas', async () => {
    const se = new SqueezeExcitation({ channels: 512 });
    expect(await supp(se, [1, 28, 28, 512])).toBe(837_664); // supplement Table 1, SE@28²
    expect(await supp(se, [1, 28, 28, 512])).toBe(seFormula({ C: 512, H: 28, W: 28 }).flops);
    expect(await supp(new GroupConvSqueeze({ inChannels: 12, zeta: 4 }), [1, 5, 5, 12]))
      .toBe(squeezeFormula({ C: 12, H: 5, W: 5, zeta: 4, groups: 3 }).flops);
    expect(await supp(new GroupConvSqueeze({ inChannels: 12, zeta: 4, groups: 1 }), [1, 5, 5, 12])).toBe(1275); // section E baseline
    expect(new CBAM({ channels: 32, reduction: 8 }).numParameters()).toBe(cbamFormula({ C: 32, H: 1, W: 1, reduction: 8 }).params);
    expect(new FBS({ channels: 16, k: 5 }).numParameters()).toBe(fbsFormula({ C: 16, H: 1, W: 1, k: 5 }).params);
  });
});

describe('baselines', () => {
  it('SE: torchvision keys, params, y = x·σ(fc2(relu(fc1(GAP x))))', () => {
    const se = new SqueezeExcitation({ channels: 64, reduction: 16 });
    expect([...se.stateShapes()]).toEqual([
      ['fc1.weight', [4, 64, 1, 1]], ['fc1.bias', [4]], ['fc2.weight', [64, 4, 1, 1]], ['fc2.bias', [64]],
    ]);
    expect(se.numParameters()).toBe(seFormula({ C: 64, H: 1, W: 1 }).params);
    const x = rand([2, 4, 4, 64]);
    const s = tf.sigmoid(se.fc2.call(tf.relu(se.fc1.call(tf.mean(x, [1, 2], true)))));
    expect(maxAbsDiff(se.call(x), tf.mul(x, s))).toBeLessThan(1e-6);
  });

  it('CBAM: keys, params, shape; spatial gate uses a 7×7 conv on [max, mean]', () => {
    const m = new CBAM({ channels: 32, reduction: 8 });
    expect([...m.stateShapes().keys()]).toEqual([
      'channel.fc1.weight', 'channel.fc1.bias', 'channel.fc2.weight', 'channel.fc2.bias', 'spatial.conv.weight',
      'spatial.bn.weight', 'spatial.bn.bias', 'spatial.bn.running_mean', 'spatial.bn.running_var', 'spatial.bn.num_batches_tracked',
    ]);
    expect(m.stateShapes().get('spatial.conv.weight')).toEqual([1, 2, 7, 7]);
        m.eval();
    const x = rand([2, 9, 9, 32]);
    const y = m.call(x);
    expect(y.shape).toEqual([2, 9, 9, 32]);
    const xc = m.channel.call(x);
    const att = tf.sigmoid(m.spatial.bn.call(m.spatial.conv.call(tf.concat([tf.max(xc, 3, true), tf.mean(xc, 3, true)], 3))));
    expect(maxAbsDiff(y, tf.mul(xc, att))).toBeLessThan(1e-6);
  });

  it('FBS: keeps exactly k channels per sample, y = relu(BN(x)·s_topk), gradient flows to kept saliencies', () => {
    const m = new FBS({ channels: 16, k: 5 });
    expect(m.numParameters()).toBe(16 * 16 + 16 + 32);
    const x = rand([3, 4, 4, 16], -1, 1);
    const s = tf.reshape(m.saliency(x), [3, 16]).arraySync() as number[][];
    for (const row of s) expect(row.filter((v) => v !== 0).length).toBe(5);
    const y = m.call(x);
    expect(y.shape).toEqual([3, 4, 4, 16]);
    // channels outside top-k are exactly zero
    const yc = tf.sum(tf.abs(y), [1, 2]).arraySync() as number[][];
    yc.forEach((row, n) => row.forEach((v, c) => { if (s[n]![c] === 0) expect(v).toBe(0); }));
    const { grads } = tf.variableGrads(() => tf.sum(m.call(x)) as tf.Scalar, m.trainableVariables());
    for (const g of Object.values(grads)) expect(Number.isFinite(tf.sum(g).dataSync()[0])).toBe(true);
    const gw = Object.entries(grads).find(([k]) => k.length > 0 && grads[k]!.shape.length === 4)![1];
    expect(tf.max(tf.abs(gw)).dataSync()[0]).toBeGreaterThan(0);
  });

  it('group-conv squeeze: fast path equals the grouped Conv2d, params G·ζ + 2G', () => {
    const m = new GroupConvSqueeze({ inChannels: 24, zeta: 4 });
    expect(m.numParameters()).toBe(6 * 4 + 12);
    expect(m.stateShapes().get('conv.weight')).toEqual([6, 4, 1, 1]);
    m.eval();
    const x = rand([2, 3, 3, 24]);
    const ref = tf.relu(m.bn.call((m.conv as Conv2d).forward(x)));
    expect(maxAbsDiff(m.call(x), ref)).toBeLessThan(1e-5);
    const g2 = new GroupConvSqueeze({ inChannels: 24, zeta: 4, groups: 2 });
    expect(g2.call(x).shape).toEqual([2, 3, 3, 6]);
  });
});
