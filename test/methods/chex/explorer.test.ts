// CHEX exploration on real ResNets (cpu backend): layer roles and prunable totals by depth, masks that keep pruned
// weights exactly zero through SGD with momentum and weight decay, one exploration step (MRU restoration bit for bit,
// snapshot = pre-mask model, zeros where masked), the global sparsity met exactly at T_max, and option errors.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/index.js';
import { ChexExplorer } from '../../../src/methods/chex/explorer.js';
import { prunableLayers } from '../../../src/methods/chex/roles.js';
import { createModel } from '../../../src/zoo/index.js';
import { manualSeed } from '../../../src/nn/init.js';
import type { Module } from '../../../src/nn/module.js';
import { paramGroups, SGD } from '../../../src/train/optim.js';

beforeAll(async () => {
  await useBackend('cpu');
  manualSeed(0);
});

const toy = (): Module => createModel('chex_resnet50', { numClasses: 5, layers: [2, 1], widths: [4, 8], stemWidth: 8, stem: 'small', cfg: null });
const OPTS = { channelSparsity: 0.5, initChannelRatio: 0.25, deltaT: 1, tMax: 4 };

/** name → host copy of every state-dict tensor in tfjs layout */
function host(m: Module): Map<string, Float32Array> {
  return new Map([...m.namedParameters(), ...m.namedBuffers()].map(([k, p]) => [k, Float32Array.from(p.variable.dataSync())]));
}

/** Adds noise to every float parameter and running stat (a stand-in for training). */
function perturb(m: Module, seed: number): void {
  let s = seed;
  for (const [, p] of [...m.namedParameters(), ...m.namedBuffers()]) {
    if (p.variable.dtype !== 'float32') continue;
    const d = Float32Array.from(p.variable.dataSync(), (x) => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return x + (s / 2147483648 - 0.5) * 0.2;
    });
    p.variable.assign(tf.tensor(d, p.variable.shape));
  }
}

/** the MRU snapshot held in the explorer's checkpoint state, as host copies */
function snapshotOf(ex: ChexExplorer): Map<string, Float32Array> {
  const t = ex.extraState().tensors ?? new Map<string, tf.Tensor>();
  return new Map([...t].filter(([k]) => k.startsWith('chex.snapshot.')).map(([k, v]) => [k.slice(14), Float32Array.from(v.dataSync())]));
}

/** every masked filter row, BN γ/β entry and consumer input column is exactly zero */
function expectMasked(ex: ChexExplorer, h: Map<string, Float32Array>): void {
  ex.layers.forEach((l, i) => {
    const mask = ex.maskValues[i]!;
    const [kh, kw, cin, cout] = l.conv.weight.shape as number[];
    const w = h.get(`${l.name}.weight`)!;
    for (let o = 0; o < cout!; o++) {
      if (mask[o]) continue;
      for (let p = 0; p < kh! * kw! * cin!; p++) expect(w[p * cout! + o] === 0).toBe(true); // ±0
      expect(h.get(`${l.bnName}.weight`)![o] === 0).toBe(true);
      expect(h.get(`${l.bnName}.bias`)![o] === 0).toBe(true);
      if (l.consumer) {
        const cw = h.get(`${l.consumerName}.weight`)!;
        const [ch, cww, ci, co] = l.consumer.weight.shape as number[];
        for (let p = 0; p < ch! * cww!; p++) for (let q = 0; q < co!; q++) expect(cw[(p * ci! + o) * co! + q] === 0).toBe(true);
      }
    }
  });
}

describe('roles by block structure', () => {
  it('prunable channel totals: R18 2816 (1920 without SKIP), R34 4672, R50 11392 in 36 layers', () => {
    const sum = (m: Module, skip = true) => prunableLayers(m, skip).reduce((a, l) => a + l.channels, 0);
    const r18 = createModel('resnet18');
    expect(sum(r18)).toBe(2816);
    expect(sum(r18, false)).toBe(1920);
    r18.dispose();
    const r34 = createModel('chex_resnet34');
    expect(sum(r34)).toBe(4672);
    r34.dispose();
    const r50 = createModel('chex_resnet50');
    const l50 = prunableLayers(r50);
    expect(l50.length).toBe(36);
    expect(sum(r50)).toBe(11392);
    expect(l50.slice(0, 3).map((l) => `${l.name}:${l.role}:${l.consumerName}`)).toEqual([
      'layer1.0.conv1:IN1:layer1.0.conv2', 'layer1.0.conv2:IN2:layer1.0.conv3', 'layer1.0.downsample.0:SKIP:null',
    ]);
    r50.dispose();
    const small = createModel('resnet8_small');
    expect(prunableLayers(small).map((l) => l.name)).toEqual(['layer1.0.conv1', 'layer2.0.conv1', 'layer2.0.downsample.0', 'layer3.0.conv1', 'layer3.0.downsample.0']);
    small.dispose();
  }, 60_000);
  it('a model with no residual blocks is an error naming grow-prune', () => {
    const vgg = createModel('vgg11_bn_small');
    expect(() => new ChexExplorer(vgg, OPTS)).toThrow(/grow-prune: model must be a ResNet/);
    vgg.dispose();
  });
  it('bad options name the parameter', () => {
    const m = toy();
    expect(() => new ChexExplorer(m, { ...OPTS, channelSparsity: 1 })).toThrow(/channel sparsity.*\[0, 1\)/);
    expect(() => new ChexExplorer(m, { ...OPTS, channelSparsity: -0.1 })).toThrow(/channel sparsity/);
    expect(() => new ChexExplorer(m, { ...OPTS, initChannelRatio: 0.6 })).toThrow(/init channel ratio.*must not exceed the channel sparsity/);
    expect(() => new ChexExplorer(m, { ...OPTS, deltaT: 0 })).toThrow(/ΔT.*positive integer/);
    expect(() => new ChexExplorer(m, { ...OPTS, tMax: 2.5 })).toThrow(/T_max.*positive integer/);
    m.dispose();
  });
});

describe('masks', () => {
  it('pruned weights stay exactly zero through SGD steps with momentum and weight decay (and would not without)', () => {
    const m = toy();
    const ex = new ChexExplorer(m, OPTS, 1);
    const opt = new SGD(paramGroups(m, 0.01, 'all'), { lr: 0.1, momentum: 0.9 });
    const vars = opt.params.map((p) => p.variable);
    const names = new Map(opt.params.map((p) => [p.variable.name, p.name]));
    const x = tf.randomNormal([4, 6, 6, 3], 0, 1, 'float32', 1);
    m.train();
    const sgdStep = () => {
      const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(m.call(x))) as tf.Scalar, vars);
      value.dispose();
      opt.step(new Map(Object.entries(grads).map(([k, t]) => [names.get(k)!, t])));
      tf.dispose(Object.values(grads));
    };
    sgdStep(); // momentum buffers are non-zero on channels about to be pruned (as after an exploration step)
    ex.onEpochStart(0);
    expect(ex.maskValues.map((x) => x.reduce((a, b) => a + b, 0))).toEqual(ex.layers.map((l) => Math.floor(l.channels * (1 - (0.5 - 0.25)))));
    let leaked = false;
    for (let it = 0; it < 4; it++) {
      sgdStep();
      if (it === 2) {
        // without re-masking, stale momentum (and the SKIP BN's gradient) move pruned weights
        try {
          expectMasked(ex, host(m));
        } catch {
          leaked = true;
        }
      }
      ex.afterStep();
      expectMasked(ex, host(m));
    }
    expect(leaked).toBe(true);
    x.dispose();
    opt.dispose();
    ex.dispose();
    m.dispose();
  });
});

describe('exploration step', () => {
  it('restores MRU values bit for bit, snapshots the pre-mask model, masks the rest, and meets S exactly at T_max', () => {
    const m = toy();
    const ex = new ChexExplorer(m, OPTS, 7);
    perturb(m, 1); // distinct γ, no ties
    ex.onEpochStart(0);
    const snap0 = host(m); // not the snapshot itself: the snapshot is the unmasked model
    const unmasked0 = snapshotOf(ex);
    for (const [k, v] of unmasked0) {
      // active entries of the snapshot equal the masked model
      const cur = snap0.get(k)!;
      cur.forEach((x, i) => { if (x !== 0) expect(v[i]).toBe(x); });
    }
    const masks0 = ex.maskValues.map((x) => Uint8Array.from(x));
    perturb(m, 2);
    ex.afterStep();
    const pre = host(m);
    const rec = ex.onEpochStart(1)!;
    expect(rec.kind).toBe('explore');
    const post = host(m);
    expectMasked(ex, post);
    const snap1 = snapshotOf(ex);
    // conv filters in the new snapshot: masked entries (zero before the step) hold their MRU values, the rest the
    // pre-step values
    for (const [k, v] of snap1) {
      if (!k.endsWith('.weight') || v.length === pre.get(k.replace(/weight$/, 'bias'))?.length) continue;
      const p0 = pre.get(k)!;
      const u0 = unmasked0.get(k)!;
      v.forEach((x, i) => expect(x).toBe(p0[i] === 0 ? u0[i] : p0[i]));
    }
    let regrown = 0;
    ex.layers.forEach((l, i) => {
      const mask = ex.maskValues[i]!;
      const w = post.get(`${l.name}.weight`)!;
      const C = l.channels;
      for (let o = 0; o < C; o++) {
        const wasPruned = masks0[i]![o] === 0;
        const src = wasPruned ? unmasked0 : pre; // MRU source of this channel's filter
        for (const k of ['weight', 'bias', 'running_mean', 'running_var']) {
          expect(snap1.get(`${l.bnName}.${k}`)![o]).toBe(src.get(`${l.bnName}.${k}`)![o]);
        }
        if (mask[o] && wasPruned) {
          regrown++;
          for (const k of ['weight', 'bias', 'running_mean', 'running_var']) expect(post.get(`${l.bnName}.${k}`)![o]).toBe(unmasked0.get(`${l.bnName}.${k}`)![o]);
        }
      }
    });
    expect(regrown).toBeGreaterThan(0);
    // active weights outside restored slices are untouched by the step
    const fc = 'fc.weight';
    expect(post.get(fc)).toEqual(pre.get(fc));
    // at T_max (δ = 0) the mask is a pure prune to S: floor(M·S) + 1 channels pruned (no ties)
    for (const e of [2, 3, 4]) {
      perturb(m, 10 + e);
      ex.afterStep();
      const r = ex.onEpochStart(e)!;
      if (e === 4) {
        expect(r.delta).toBe(0);
        expect(r.prunable - r.active).toBe(Math.floor(r.prunable * 0.5) + 1);
      }
    }
    expect(ex.onEpochStart(5)).toBeUndefined(); // after T_max the mask is frozen
    ex.dispose();
    m.dispose();
  });

  it('same seed and weights → the same masks (deterministic sampler)', () => {
    const run = (): string => {
      manualSeed(3);
      const m = toy();
      const ex = new ChexExplorer(m, OPTS, 5);
      perturb(m, 4);
      ex.onEpochStart(0);
      perturb(m, 5);
      ex.afterStep();
      ex.onEpochStart(1);
      const out = ex.maskValues.map((x) => x.join('')).join('|');
      ex.dispose();
      m.dispose();
      return out;
    };
    expect(run()).toBe(run());
  });
});
