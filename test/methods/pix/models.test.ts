// PiX model family: PiX-ResNet-50/101/152 parameter counts and the official state-dict layout (docs/methods/pix.md §5.5,
// §5.6), the §5.3 per-block ζ table, the ζ=8 and SE variants, M1 smoke test, the E0–E4 config knobs, the inferred
// basic-block / downscaling / dynamic-pruning models, and config validation. wasm backend.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../../src/backend/index.js';
import { ModuleList, Sequential } from '../../../src/nn/container.js';
import { manualSeed, uniform, withoutInit } from '../../../src/nn/init.js';
import type { Module } from '../../../src/nn/module.js';
import { createModel, getModelEntry, listModels } from '../../../src/zoo/index.js';
import { PiX, PiXResNet } from '../../../src/methods/pix/index.js';
import { countFlops } from '../../../src/flops/counter.js';

beforeAll(async () => {
  await useBackend('wasm');
  manualSeed(0);
});

const BN = ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'];

/** The official PiXResNet50_cs state dict (keys and PyTorch shapes), written out from docs/methods/pix.md §5.3/§5.5. */
function officialKeys(layers: number[]): Array<[string, number[]]> {
  const out: Array<[string, number[]]> = [['conv_stem.weight', [64, 3, 7, 7]]];
  const bn = (k: string, c: number) => BN.forEach((b) => out.push([`${k}.${b}`, b === 'num_batches_tracked' ? [] : [c]]));
  bn('bn_stem', 64);
  const nOp = [256, 512, 1024, 2048];
  const first = [1, 2, 2, 2];
  let nIp = 64;
  layers.forEach((n, s) => {
    for (let i = 0; i < n; i++) {
      const cin = i === 0 ? nIp : nOp[s]!;
      const g = cin / (i === 0 ? first[s]! : 4);
      const p = `layer${s + 1}.blocks.${i}`;
      out.push([`${p}.conv_sqz.weight`, [g, cin, 1, 1]], [`${p}.conv_ce.weight`, [g, g, 3, 3]]);
      bn(`${p}.bn_ce`, g);
      out.push([`${p}.conv_exp.weight`, [nOp[s]!, g, 1, 1]]);
      bn(`${p}.bn_exp`, nOp[s]!);
      if (i === 0) {
        out.push([`${p}.conv_proj.weight`, [nOp[s]!, cin, 1, 1]]);
        bn(`${p}.bn_proj`, nOp[s]!);
      }
    }
    nIp = nOp[s]!;
  });
  out.push(['classifier.weight', [1000, 2048, 1, 1]], ['classifier.bias', [1000]]);
  return out;
}

describe('PiX-ResNet-50 (channel squeezing, official layout)', () => {
  let model: PiXResNet;
  beforeAll(() => {
    model = createModel('pix_resnet50_cs') as PiXResNet;
  });

  it('25,549,480 parameters; 240 state entries (129 params + 111 buffers) with the official keys, order and shapes', () => {
    expect(model.numParameters()).toBe(25_549_480);
    expect(model.parameters().length).toBe(129);
    expect([...model.namedBuffers()].length).toBe(111);
    const got = [...model.stateShapes()];
    expect(got.length).toBe(240);
    expect(got).toEqual(officialKeys([3, 4, 6, 3]));
  });

  it('16 PiX modules with (C_in, ζ, G) as the docs/methods/pix.md §5.3 table, τ = 0.5, sigmoid, pick-or-mix', () => {
    const rows = model.pixModules().map(([k, m]) => [k, m.inChannels, m.zeta, m.sampledChannels]);
    const want: Array<[string, number, number, number]> = [];
    const spec: Array<[number, number, number, number, number]> = [ // stage, blocks, C_in first, C_in rest, G
      [1, 3, 64, 256, 64], [2, 4, 256, 512, 128], [3, 6, 512, 1024, 256], [4, 3, 1024, 2048, 512],
    ];
    for (const [s, n, c0, c, g] of spec) {
      for (let i = 0; i < n; i++) want.push([`layer${s}.blocks.${i}`, i === 0 ? c0 : c, i === 0 ? c0 / g : 4, g]);
    }
    expect(rows).toEqual(want);
    for (const [, m] of model.pixModules()) {
      expect([m.tau, m.activation, m.reduce, m.bn_sqz, m.conv_sqz.bias]).toEqual([0.5, 'sigmoid', 'pick-or-mix', null, null]);
    }
  });

  it('Xavier-uniform init everywhere (classifier included), zero classifier bias', () => {
    const w = model.classifier.weight.variable;
    const a = Math.sqrt(6 / (2048 + 1000));
    expect(tf.max(tf.abs(w)).dataSync()[0]).toBeLessThanOrEqual(a);
    expect(tf.max(tf.abs(w)).dataSync()[0]).toBeGreaterThan(0.99 * a);
    expect(tf.max(tf.abs(model.classifier.bias!.variable)).dataSync()[0]).toBe(0);
    const stem = model.conv_stem.weight.variable; // fan_in 147, fan_out 64·49
    expect(tf.max(tf.abs(stem)).dataSync()[0]).toBeLessThanOrEqual(Math.sqrt(6 / (147 + 3136)));
  });

  it('M1 smoke test: [2,64,64,3] → [2,1000], finite, eval mode', () => {
    model.eval();
    const y = tf.tidy(() => model.call(uniform([2, 64, 64, 3], -1, 1)));
    expect(y.shape).toEqual([2, 1000]);
    expect(Number.isFinite(tf.sum(y).dataSync()[0])).toBe(true);
    y.dispose();
  });

  it('state dict round-trips into a fresh model (small variant)', () => {
    const a = createModel('pix_resnet29_small');
    const b = createModel('pix_resnet29_small');
    const sd = a.stateDict();
    b.loadStateDict(sd);
    const k = 'layer3.blocks.2.conv_sqz.weight';
    expect(sd.get(k)!.shape).toEqual([64, 256, 1, 1]);
    const back = b.stateDict();
    for (const [key, t] of sd) expect(tf.max(tf.abs(tf.sub(back.get(key)!, t))).dataSync()[0]).toBe(0);
    tf.dispose([...sd.values(), ...back.values()]);
    a.dispose();
    b.dispose();
  });

  it('FLOP counter sees the PiX op: ptflops 3,188,465,128 and supplement-style 3,209,804,032 at 224² (docs/methods/pix.md §5.7)', async () => {
    expect((await countFlops(model, { inputShape: [1, 224, 224, 3], convention: 'ptflops' })).totals.macs).toBe(3_188_465_128);
    expect((await countFlops(model, { inputShape: [1, 224, 224, 3], convention: 'pix-supplement' })).totals.macs).toBe(3_209_804_032);
  });
});

describe('other PiX-ResNets', () => {
  it('PiX-ResNet-101 44,532,904 and -152 60,168,872 parameters (official key pattern)', () => {
    const m101 = createModel('pix_resnet101_cs');
    expect(m101.numParameters()).toBe(44_532_904);
    expect([...m101.stateShapes()]).toEqual(officialKeys([3, 4, 23, 3]));
    m101.dispose();
    const m152 = createModel('pix_resnet152_cs');
    expect(m152.numParameters()).toBe(60_168_872);
    expect(m152.stateShapes().size).toBe(officialKeys([3, 8, 36, 3]).length);
    m152.dispose();
  });

  it('ζ=8 half-width pair (docs/methods/pix.md §5.7): PiX 12,378,088 vs baseline resnet50_half 12,381,864', () => {
    const z8 = createModel('pix_resnet50_cs_z8') as PiXResNet;
    expect(z8.numParameters()).toBe(12_378_088);
    expect(z8.pixModules().map(([, m]) => m.zeta)).toEqual([2, 8, 8, 4, 8, 8, 8, 4, 8, 8, 8, 8, 8, 4, 8, 8]);
    expect(z8.pixModules().map(([, m]) => m.sampledChannels).filter((v, i, a) => a.indexOf(v) === i)).toEqual([32, 64, 128, 256]);
    z8.dispose();
    const half = createModel('resnet50_half');
    expect(half.numParameters()).toBe(12_381_864);
    half.dispose();
  });

  it('SE + PiX ResNet-50 (paper Table 1 E4): 28,080,472 parameters (28.0M), SE keys under each block', () => {
    const m = createModel('pix_se_resnet50_cs');
    expect(m.numParameters()).toBe(28_080_472);
    expect(m.stateShapes().get('layer4.blocks.2.se.fc1.weight')).toEqual([128, 2048, 1, 1]);
    m.dispose();
  });

  it('E0–E4 options reach every PiX module and change the output', () => {
    const base = { numClasses: 10, inChannels: 1 };
    const outputs: tf.Tensor[] = [];
    const x = uniform([2, 16, 16, 1], 0, 1);
    for (const extra of [{}, { activation: 'tanh' }, { bnBeforeAct: true }, { tau: 0 }, { reduce: 'max' }, { reduce: 'w-pix' }]) {
      manualSeed(11);
      const m = createModel('pix_resnet29_small', { ...base, ...extra }) as PiXResNet;
      for (const [, p] of m.pixModules()) {
        const e = extra as Record<string, unknown>;
        if (e.activation) expect(p.activation).toBe('tanh');
        if (e.bnBeforeAct) expect(p.bn_sqz).not.toBeNull();
        if (e.tau !== undefined) expect(p.tau).toBe(0);
        if (e.reduce) expect(p.reduce).toBe(e.reduce);
      }
      if ((extra as { bnBeforeAct?: boolean }).bnBeforeAct) expect(m.stateShapes().has('layer1.blocks.0.bn_sqz.weight')).toBe(true);
      outputs.push(m.train().call(x));
    }
    for (let i = 1; i < outputs.length; i++) {
      expect(tf.max(tf.abs(tf.sub(outputs[i]!, outputs[0]!))).dataSync()[0]).toBeGreaterThan(1e-6);
    }
  });

  it('inferred basic-block, downscaling and dynamic-pruning models build and run', () => {
    const cases: Array<[string, Record<string, unknown>, number[], number]> = [
      ['pix_resnet20_small', {}, [2, 32, 32, 3], 10],
      ['pix_resnet18_ds', { numClasses: 5 }, [1, 32, 32, 3], 5],
      ['pix_resnet50_dp', { numClasses: 5, layers: [1, 1, 1, 1] }, [1, 32, 32, 3], 5],
      ['pix_vgg16_bn_small_ds', {}, [2, 32, 32, 3], 10],
      ['pix_vgg16_bn_ds', { head: 'small', numClasses: 4 }, [1, 32, 32, 3], 4],
      ['fbs_vgg16_bn_small', {}, [2, 32, 32, 3], 10],
    ];
    for (const [name, over, shape, k] of cases) {
      const m = createModel(name, over).eval();
      const y = tf.tidy(() => m.call(uniform(shape, 0, 1)));
      expect(y.shape).toEqual([shape[0], k]);
      y.dispose();
      m.dispose();
    }
    // ResNet-18 basic rule: ζ 1 in first blocks, 2 elsewhere; the first 3×3 takes C_in/ζ channels.
    const r18 = createModel('pix_resnet18_cs', { numClasses: 7 }) as PiXResNet;
    const y18 = tf.tidy(() => r18.eval().call(uniform([1, 32, 32, 3], 0, 1)));
    expect(y18.shape).toEqual([1, 7]);
    y18.dispose();
    expect(r18.pixModules().map(([, m]) => m.zeta)).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
    expect(r18.stateShapes().get('layer1.blocks.1.conv1.weight')).toEqual([64, 32, 3, 3]);
    expect(r18.stateShapes().has('layer1.blocks.0.conv_proj.weight')).toBe(false);
    r18.dispose();
    // Downscaling: PiX inserted as `pix` with torchvision keys around it; global ζ.
    const ds = createModel('pix_resnet18_ds');
    expect(ds.stateShapes().get('layer2.0.pix.conv_sqz.weight')).toEqual([16, 64, 1, 1]);
    expect(ds.stateShapes().get('layer2.0.conv1.weight')).toEqual([128, 16, 3, 3]);
    expect(ds.stateShapes().get('layer2.0.downsample.0.weight')).toEqual([128, 64, 1, 1]);
    const pixCount = [...ds.namedModules()].filter(([, m]) => m instanceof PiX).length;
    expect(pixCount).toBe(8);
    ds.dispose();
  });

  it('every PiX registry entry is in the pix family with a description', () => {
    const names = listModels().filter((e) => e.family === 'pix').map((e) => e.name);
    for (const n of ['pix_resnet50_cs', 'pix_resnet101_cs', 'pix_resnet152_cs', 'pix_resnet18_cs', 'pix_resnet34_cs',
      'pix_resnet50_cs_z8', 'resnet50_half', 'pix_resnet20_small', 'pix_resnet29_small', 'pix_vgg16_bn_ds', 'pix_resnet18_ds', 'pix_resnet18_dp']) {
      expect(names).toContain(n);
      expect(getModelEntry(n).description.length).toBeGreaterThan(10);
    }
  });

  it('property names equal module names (state-dict keys) in every PiX-family module', () => {
    for (const [name, over] of [['pix_resnet29_small', { se: true, bnBeforeAct: true }], ['pix_resnet20_small', {}],
      ['pix_resnet18_ds', { layers: [1, 1, 1, 1] }], ['pix_resnet50_dp', { layers: [1, 1, 1, 1] }], ['fbs_vgg16_bn_small', {}]] as const) {
      const m = withoutInit(() => createModel(name, over));
      let checked = 0;
      for (const [path, mod] of m.namedModules()) {
        if (mod instanceof Sequential || mod instanceof ModuleList) continue; // children named 0, 1, …
        for (const [k, child] of mod.namedChildren()) {
          if (path === '' && /^layer\d+$/.test(k)) continue; // stages are listed in `stages`
          expect((mod as unknown as Record<string, Module>)[k], `${name}: ${path}.${k}`).toBe(child);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(10);
      m.dispose();
    }
  });

  it('bad configs raise clear errors', () => {
    expect(() => createModel('pix_resnet29_small', { zeta: 3 })).toThrow(/not divisible by zeta 3/);
    expect(() => createModel('pix_resnet29_small', { zeta: 0 })).toThrow(/zeta must be a positive integer/);
    expect(() => createModel('pix_resnet29_small', { firstZeta: [1, 2.5, 2] })).toThrow(/firstZeta\[1\]: expected a positive integer .*default \[1,2,2\]\), got 2.5/);
    expect(() => createModel('pix_resnet29_small', { tau: 2 })).toThrow(/tau must be a finite number in \[0, 1\]/);
    expect(() => createModel('pix_resnet29_small', { activation: 'relu' })).toThrow(/activation must be/);
    expect(() => createModel('pix_resnet29_small', { firstZeta: [1, 2] })).toThrow(/same length/);
    expect(() => createModel('pix_resnet18_ds', { zeta: 3 })).toThrow(/not divisible by zeta 3/);
    expect(() => createModel('pix_vgg16_bn_small_ds', { zeta: 5 })).toThrow(/not divisible by zeta 5/);
    expect(() => createModel('pix_resnet29_small', { bogus: 1 })).toThrow(/unknown config key 'bogus'/);
  });
});
