// The DGC layer (docs/methods/dgc.md §1–§2) on the cpu reference backend: gate rule with ties and zeros, head
// interleaving, schedule values with half-to-even rounding, zero task gradient for dropped channels, finite-difference
// gradients, kept-channel == masked inference, and bad input.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/index.js';
import {
  channelShuffle, DynamicMultiHeadConv, gateSaliency, inactiveChannelsAt, interleaveHeads, keepMask, roundHalfEven,
} from '../../../src/methods/dgc/index.js';
import { manualSeed } from '../../../src/nn/init.js';
import { gradCheck } from '../../helpers/gradcheck.js';
import { randn, relErr } from '../../helpers/tensors.js';

beforeAll(async () => {
  await useBackend('cpu');
});

function layer(o: Partial<ConstructorParameters<typeof DynamicMultiHeadConv>[0]> = {}): DynamicMultiHeadConv {
  manualSeed(1);
  return new DynamicMultiHeadConv({ inChannels: 16, outChannels: 8, kernelSize: 1, heads: 4, squeezeRate: 16, gateFactor: 0.25, ...o });
}

describe('gate', () => {
  it('drops everything ≤ the k-th smallest (ties and exact zeros) and keeps saliency values', () => {
    const g = tf.tensor2d([[0.5, 0, 2, 0.5, 1, 3], [0, 0, 0, 1, 2, 3]]);
    expect(Array.from(keepMask(g, 2).dataSync())).toEqual([0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 1]);
    expect(Array.from(gateSaliency(g, 2).dataSync())).toEqual([0, 0, 2, 0, 1, 3, 0, 0, 0, 1, 2, 3]);
    expect(Array.from(gateSaliency(g, 0).dataSync())).toEqual(Array.from(g.dataSync()));
  });
  it('passes gradient only through kept entries (none through the mask)', () => {
    const g = tf.tensor2d([[0.5, 0.1, 2, 0.5, 1, 3]]);
    const dg = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(gateSaliency(x as tf.Tensor2D, 2), tf.tensor2d([[1, 2, 3, 4, 5, 6]]))))(g);
    expect(Array.from(dg.dataSync())).toEqual([0, 0, 3, 0, 5, 6]);
  });
  it('rejects a bad k', () => {
    expect(() => keepMask(tf.zeros([1, 4]) as tf.Tensor2D, 5)).toThrow(/k \(channels to drop\).*\[0, 4\]/);
  });
});

describe('heads', () => {
  it('interleave head-major outputs as the official channel shuffle (channel j·h + i)', () => {
    // h = 4, C' = 8: head i holds values 10·i + j
    const outs = [0, 1, 2, 3].map((i) => tf.tensor4d([10 * i, 10 * i + 1], [1, 1, 1, 2]));
    expect(Array.from(interleaveHeads(outs).dataSync())).toEqual([0, 10, 20, 30, 1, 11, 21, 31]);
    const headMajor = tf.concat(outs, 3) as tf.Tensor4D;
    expect(Array.from(channelShuffle(headMajor, 4).dataSync())).toEqual([0, 10, 20, 30, 1, 11, 21, 31]);
    // i.e. the output order lists head-major indices [0, 2, 4, 6, 1, 3, 5, 7]
    const idx = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 8]);
    expect(Array.from(channelShuffle(idx, 4).dataSync())).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
  });
});

describe('schedule', () => {
  it('rounds half to even like Python', () => {
    expect([0.5, 1.5, 2.5, 3.5, -1.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 4, -2, 2, 3]);
  });
  it('matches the reference table (dgc.md §2.2)', () => {
    const ps = [0.1, 0.25, 0.5, 0.7, 0.749, 0.75, 0.9];
    const table: Array<[number, number, number[]]> = [
      [16, 0.25, [0, 3, 8, 11, 12, 12, 12]],
      [64, 0.25, [1, 12, 30, 44, 48, 48, 48]],
      [768, 0.25, [14, 144, 360, 533, 575, 576, 576]],
      [64, 0.45, [1, 9, 22, 33, 35, 35, 35]],
      [512, 0.45, [7, 70, 176, 260, 281, 282, 282]],
    ];
    for (const [C, gf, want] of table) expect(ps.map((p) => inactiveChannelsAt(C, gf, p))).toEqual(want);
  });
  it('keeps the count up to p = 1/12, reaches the target at 3/4, rounds exact halves to even', () => {
    expect(inactiveChannelsAt(64, 0.25, 0)).toBe(0);
    expect(inactiveChannelsAt(64, 0.25, 1 / 12, 5)).toBe(5); // unchanged (strict >)
    expect(inactiveChannelsAt(64, 0.25, 3 / 4)).toBe(48);
    expect(inactiveChannelsAt(10, 0.75, 0.75)).toBe(2); // 2.5 → 2 (Math.round would give 3)
    expect(inactiveChannelsAt(6, 0.25, 1)).toBe(4); // 4.5 → 4
    expect(inactiveChannelsAt(14, 0.75, 0.8)).toBe(4); // 3.5 → 4
  });
  it('is driven by progress in training mode only and stored in _inactive_channels', () => {
    const m = layer();
    const x = randn([2, 4, 4, 16], 1);
    m.progress = 0.5;
    m.eval();
    m.call(x).dispose();
    expect(m.inactiveChannels).toBe(0);
    m.train();
    m.call(x).dispose();
    expect(m.inactiveChannels).toBe(8);
    expect(Array.from(m.stateDict().get('_inactive_channels')!.dataSync())).toEqual([8]);
    m.progress = 0.05; // ≤ 1/12: unchanged
    m.call(x).dispose();
    expect(m.inactiveChannels).toBe(8);
    // any write to the buffer's variable (a loaded state dict, an EMA copy) is seen by the next forward
    m._inactive_channels.variable.assign(tf.tensor1d([5]));
    expect(m.inactiveChannels).toBe(5);
    m.loadStateDict(new Map([...m.stateDict()].map(([k, t]) => [k, k === '_inactive_channels' ? tf.tensor1d([11]) : t])));
    expect(m.inactiveChannels).toBe(11);
    m._inactive_channels.variable.assign(tf.tensor1d([-1]));
    expect(() => m.inactiveChannels).toThrow(/_inactive_channels: expected a count in \[0, 16\]/);
  });
});

describe('DynamicMultiHeadConv', () => {
  it('has the official keys, shapes and parameter count 2C + C′·C·k² + h·(2·C·d + C)', () => {
    const m = layer({ inChannels: 16, outChannels: 32, kernelSize: 3, padding: 1 });
    const shapes = m.stateShapes();
    expect([...shapes.keys()].slice(0, 7)).toEqual(['_inactive_channels', 'norm.weight', 'norm.bias', 'norm.running_mean',
      'norm.running_var', 'norm.num_batches_tracked', 'headconv_0.conv.weight']);
    expect(shapes.size).toBe(22);
    expect(shapes.get('headconv_3.conv.weight')).toEqual([8, 16, 3, 3]);
    expect(shapes.get('headconv_0.fc1.weight')).toEqual([2, 16]); // C = 16 < 80: s_eff = 8, d = 2
    expect(shapes.get('headconv_0.fc2.weight')).toEqual([16, 2]);
    expect(m.numParameters()).toBe(2 * 16 + 32 * 16 * 9 + 4 * (2 * 16 * 2 + 16));
    expect(Array.from(m.headconvs[2]!.fc2.bias!.variable.dataSync())).toEqual(new Array(16).fill(1));
  });

  it('equals a per-head loop written out by hand (masked, scaled, shuffled)', () => {
    const m = layer({ inChannels: 8, outChannels: 8, kernelSize: 3, stride: 2, padding: 1, heads: 2, squeezeRate: 4 });
    m.inactiveChannels = 5;
    m.eval();
    const x = randn([3, 5, 5, 8], 2);
    const y = m.call(x);
    const ref = tf.tidy(() => {
      const a = tf.relu(m.norm.call(x));
      const z = tf.mean(a, [1, 2]);
      const outs = m.headconvs.map((h) => {
        const g = tf.relu(h.fc2.call(tf.relu(h.fc1.call(z)))).arraySync() as number[][];
        const gated = g.map((row) => {
          const kth = [...row].sort((p, q) => p - q)[4]!;
          return row.map((v) => (v > kth ? v : 0));
        });
        return tf.conv2d(tf.mul(a, tf.reshape(tf.tensor2d(gated), [3, 1, 1, 8])) as tf.Tensor4D, h.conv.weight.variable as tf.Tensor4D, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]);
      });
      return channelShuffle(tf.concat(outs, 3) as tf.Tensor4D, 2);
    });
    expect(y.shape).toEqual([3, 3, 3, 8]);
    expect(relErr(y.dataSync(), ref.dataSync())).toBeLessThan(1e-5);
  });

  it('gives weights of dropped channels exactly zero task gradient', () => {
    const m = layer({ inChannels: 16, outChannels: 8, kernelSize: 3, padding: 1 });
    m.inactiveChannels = 12;
    const x = randn([1, 4, 4, 16], 3);
    const r = randn([1, 4, 4, 8], 4);
    const vars = m.headconvs.map((h) => h.conv.weight.variable);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(m.call(x), r)) as tf.Scalar, vars);
    value.dispose();
    // which channels each head kept on this sample
    const { g } = tf.tidy(() => m.saliency(x as tf.Tensor4D));
    const gh = m.gate(g).arraySync() as number[][][];
    m.headconvs.forEach((h, i) => {
      const gw = grads[h.conv.weight.variable.name]!.arraySync() as number[][][][]; // [kh, kw, C, O]
      let dropped = 0;
      for (let c = 0; c < 16; c++) {
        const kept = gh[i]![0]![c]! > 0;
        if (!kept) dropped++;
        let maxAbs = 0;
        for (const row of gw) for (const col of row) for (const o of col[c]!) maxAbs = Math.max(maxAbs, Math.abs(o));
        if (kept) expect(maxAbs).toBeGreaterThan(0);
        else expect(maxAbs).toBe(0);
      }
      expect(dropped).toBeGreaterThanOrEqual(12);
    });
  });

  it('passes finite-difference gradient checks (training mode, channels dropped)', () => {
    const m = layer({ inChannels: 8, outChannels: 4, kernelSize: 3, stride: 2, padding: 1, heads: 2, squeezeRate: 4 });
    m.inactiveChannels = 3;
    // a seed whose BN outputs and saliencies sit away from the ReLU kinks and the gate threshold by more than eps
    expect(gradCheck(m, randn([2, 5, 5, 8], 8), 12, 3e-3)).toBeLessThan(2e-3);
  });

  it('keeps the lasso term Σ_heads mean(g) of the unmasked saliencies in training mode', () => {
    const m = layer();
    m.inactiveChannels = 8;
    const x = randn([2, 3, 3, 16], 8);
    m.call(x).dispose();
    const { g } = tf.tidy(() => m.saliency(x as tf.Tensor4D));
    const want = (tf.sum(tf.mean(g, [1, 2])).dataSync()[0])!;
    expect(m.lasso!.dataSync()[0]).toBeCloseTo(want, 5);
    m.eval();
    m.call(x).dispose();
    expect(m.lasso).toBeNull();
  });

  it('eval mode computes only the kept channels (the cpu kernel) and equals the masked path', () => {
    for (const [k, s, p, drop] of [[1, 1, 0, 12], [3, 2, 1, 9], [3, 1, 1, 4], [1, 2, 0, 0]] as const) {
      const m = layer({ inChannels: 16, outChannels: 8, kernelSize: k, stride: s, padding: p });
      m.inactiveChannels = drop;
      m.eval();
      for (const b of [3, 1]) {
        const x = randn([b, 6, 6, 16], 9);
        m.evalImpl = 'composite';
        const masked = m.call(x);
        m.evalImpl = 'kernel';
        const kept = m.call(x);
        expect(kept.shape).toEqual(masked.shape);
        expect(relErr(kept.dataSync(), masked.dataSync())).toBeLessThan(1e-5);
      }
    }
  });

  it('rejects bad configurations and inputs with errors naming the parameter', () => {
    expect(() => layer({ heads: 3 })).toThrow(/heads \(3\) must divide inChannels \(16\)/);
    expect(() => layer({ outChannels: 6 })).toThrow(/heads \(4\) must divide outChannels \(6\)/);
    expect(() => layer({ gateFactor: 0 })).toThrow(/gateFactor must be in \(0, 1\]/);
    expect(() => layer({ gateFactor: 1.2 })).toThrow(/gateFactor must be in \(0, 1\]/);
    expect(() => layer({ inChannels: 4, outChannels: 4 })).toThrow(/squeezeRate 16 leaves no hidden unit/);
    expect(() => layer().call(tf.zeros([1, 2, 2, 8]))).toThrow(/16 channels/);
    expect(() => { layer().inactiveChannels = 17; }).toThrow(/_inactive_channels: expected an integer in \[0, 16\]/);
    expect(() => inactiveChannelsAt(16, 0.25, 1.5)).toThrow(/progress must be in \[0, 1\]/);
  });
});
