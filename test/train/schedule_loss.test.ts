// Learning-rate schedules at key iterations (values from the specs), losses vs PyTorch, top-k, EMA arithmetic.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/core/rng.js';
import { createModel } from '../../src/zoo/index.js';
import { ModelEma } from '../../src/train/ema.js';
import { bceWithLogits, classificationLoss, crossEntropy, smoothOneHot, softTargetCrossEntropy, topkCorrect } from '../../src/train/loss.js';
import { formatSeconds, Progress } from '../../src/train/progress.js';
import { makeSchedule } from '../../src/train/schedule.js';
import { oracle } from './oracle.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('schedules', () => {
  it('CHEX: per-epoch warmup 8 + cosine over 250 epochs (spec chex §5.1 samples), constant within an epoch', () => {
    const s = makeSchedule({ kind: 'cosine_epoch', warmupEpochs: 8 }, { baseLr: 1.024, epochs: 250, itersPerEpoch: 1251 });
    const at = (e: number) => s(e * 1251 + 17);
    const want: Array<[number, number]> = [[0, 0.128], [1, 0.256], [7, 1.024], [8, 1.024], [9, 1.023957], [50, 0.949763], [129, 0.512], [180, 0.197247], [249, 4.31e-5]];
    for (const [e, v] of want) expect(at(e)).toBeCloseTo(v, e === 249 ? 7 : 6);
    expect(s(50 * 1251)).toBe(s(51 * 1251 - 1));
  });

  it('PiX: linspace warmup over 5 epochs, then cosine to min_lr 1e-6 (spec pix §7.1)', () => {
    const ipe = 1251;
    const s = makeSchedule({ kind: 'cosine', warmupEpochs: 5, minLr: 1e-6 }, { baseLr: 3.5e-3, epochs: 300, itersPerEpoch: ipe });
    const w = 5 * ipe;
    const T = 300 * ipe - w;
    expect(s(0)).toBe(0);
    expect(s(1)).toBeCloseTo(3.5e-3 / (w - 1), 15);
    expect(s(w - 1)).toBeCloseTo(3.5e-3, 15); // both ends of linspace included
    expect(s(w)).toBeCloseTo(3.5e-3, 15);
    expect(s(w + T / 2)).toBeCloseTo((3.5e-3 + 1e-6) / 2, 12);
    expect(s(300 * ipe - 1)).toBeCloseTo(1e-6 + 0.5 * (3.5e-3 - 1e-6) * (1 + Math.cos((Math.PI * (T - 1)) / T)), 15);
    expect(s(300 * ipe - 1)).toBeGreaterThan(1e-6);
  });

  it('DGC: per-iteration cosine 0.1·½(1 + cos(π p)), no warmup (spec dgc §5)', () => {
    const s = makeSchedule({ kind: 'cosine' }, { baseLr: 0.1, epochs: 300, itersPerEpoch: 782 });
    expect(s(0)).toBe(0.1);
    expect(s(150 * 782)).toBeCloseTo(0.05, 12);
    const i = 1234;
    expect(s(i)).toBeCloseTo(0.1 * 0.5 * (1 + Math.cos((Math.PI * i) / (300 * 782))), 14);
  });

  it('step schedule with milestones, and bad input', () => {
    const s = makeSchedule({ kind: 'step', milestones: [30, 60], gamma: 0.1 }, { baseLr: 0.1, epochs: 90, itersPerEpoch: 10 });
    expect(s(299)).toBe(0.1);
    expect(s(300)).toBeCloseTo(0.01, 15);
    expect(s(600)).toBeCloseTo(0.001, 15);
    expect(() => makeSchedule({ kind: 'cosine', warmupEpochs: 5 }, { baseLr: 1, epochs: 2, itersPerEpoch: 1 })).toThrow(/warmupEpochs/);
  });
});

describe('losses vs PyTorch', () => {
  it('cross-entropy (± label smoothing), soft-target CE, BCE with logits', () => {
    const rng = new Rng(3);
    const [n, k] = [6, 7];
    const logits = rng.fillNormal(new Float32Array(n * k), 0, 2);
    const labels = Int32Array.from({ length: n }, () => rng.randint(k));
    const soft = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      const a = rng.randint(k);
      const b = rng.randint(k);
      const lam = rng.random();
      for (let c = 0; c < k; c++) soft[i * k + c] = 0.1 / k;
      soft[i * k + a]! += lam * 0.9;
      soft[i * k + b]! += (1 - lam) * 0.9;
    }
    const ref = oracle<Record<string, number>>({
      op: 'losses', logits: Array.from({ length: n }, (_, i) => Array.from(logits.subarray(i * k, (i + 1) * k))),
      labels: Array.from(labels), soft: Array.from({ length: n }, (_, i) => Array.from(soft.subarray(i * k, (i + 1) * k))), eps: 0.1,
    });
    const x = tf.tensor2d(logits, [n, k]);
    const val = (t: tf.Scalar) => {
      const v = t.dataSync()[0]!;
      t.dispose();
      return v;
    };
    expect(val(crossEntropy(x, labels))).toBeCloseTo(ref.ce!, 5);
    expect(val(crossEntropy(x, labels, 0.1))).toBeCloseTo(ref.ce_ls!, 5);
    expect(val(softTargetCrossEntropy(x, soft))).toBeCloseTo(ref.soft!, 5);
    expect(val(bceWithLogits(x, soft))).toBeCloseTo(ref.bce!, 5);
    // hard labels through the BCE path = BCE on smoothed one-hots; CE path with soft targets = soft-target CE
    expect(val(classificationLoss({ kind: 'bce', labelSmoothing: 0.1 }, x, labels))).toBeCloseTo(val(bceWithLogits(x, smoothOneHot(labels, k, 0.1))), 6);
    expect(val(classificationLoss({ kind: 'ce', labelSmoothing: 0.1 }, x, labels, soft))).toBeCloseTo(ref.soft!, 5);
    expect(() => crossEntropy(x, new Int32Array(3))).toThrow(/logits must be \[N=3, K\]/);
    x.dispose();
  });

  it('top-k counts (ties go to the lower class index)', () => {
    const logits = Float32Array.from([0.1, 0.9, 0.3, /**/ 0.5, 0.5, 0.1, /**/ 0.2, 0.3, 0.1]);
    expect(topkCorrect(logits, 3, Int32Array.from([1, 1, 2]), [1, 2])).toEqual([1, 2]);
    expect(topkCorrect(logits, 3, Int32Array.from([2, 0, 0]), [1, 2, 3])).toEqual([1, 3, 3]);
  });
});

describe('EMA', () => {
  it('e ← d·e + (1−d)·w on parameters and BN running stats; integer buffers copied; warmup decay', () => {
    const model = createModel('resnet8_small', { widths: [2, 2, 2], inChannels: 1 });
    const copy = createModel('resnet8_small', { widths: [2, 2, 2], inChannels: 1 });
    const ema = new ModelEma(copy, model, { decay: 0.75 });
    const w0 = (model.getModule('fc') as unknown as { weight: { variable: tf.Variable } }).weight.variable.dataSync().slice();
    const rm = [...model.namedBuffers()].find(([k]) => k === 'bn1.running_mean')![1].variable;
    rm.assign(tf.fill([2], 4));
    const fcw = [...model.namedParameters()].find(([k]) => k === 'fc.weight')![1].variable;
    fcw.assign(tf.add(fcw, 1));
    [...model.namedBuffers()].find(([k]) => k === 'bn1.num_batches_tracked')![1].variable.assign(tf.scalar(7, 'int32'));
    ema.update();
    const e = new Map([...copy.namedParameters()].map(([k, p]) => [k, p.variable] as const));
    const eb = new Map([...copy.namedBuffers()].map(([k, b]) => [k, b.variable] as const));
    Array.from(e.get('fc.weight')!.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(w0[i]! + 0.25, 6));
    expect(Array.from(eb.get('bn1.running_mean')!.dataSync())).toEqual([1, 1]);
    expect(eb.get('bn1.num_batches_tracked')!.dataSync()[0]).toBe(7);
    expect(copy.training).toBe(false);
    const warm = new ModelEma(createModel('resnet8_small', { widths: [2, 2, 2], inChannels: 1 }), model, { decay: 0.9999, warmup: true });
    expect(warm.decayAt(0)).toBe(0);
    expect(warm.decayAt(10)).toBeCloseTo(1 - 11 ** (-2 / 3), 12);
    expect(warm.decayAt(1e9)).toBe(0.9999);
  });
});

describe('progress output', () => {
  it('plain lines off a TTY, an in-place bar on a TTY, durations', () => {
    const out: string[] = [];
    const plain = new Progress({ write: (s) => out.push(s), tty: false });
    plain.update(0, 3, 5, 10, 'x');
    plain.update(0, 3, 6, 10, 'loss 1', true);
    plain.line('done');
    expect(out).toEqual(['epoch 1/3 6/10 loss 1\n', 'done\n']);
    const tty: string[] = [];
    const bar = new Progress({ write: (s) => tty.push(s), tty: true });
    bar.update(1, 3, 5, 10, 'y', true);
    bar.line('end');
    expect(tty[0]).toMatch(/^\r\x1b\[2Kepoch 2\/3 █{12}░{12} 5\/10 y$/);
    expect(tty.slice(1)).toEqual(['\r\x1b[2K', 'end\n']);
    expect(formatSeconds(299.6)).toBe('5m00s');
    expect(formatSeconds(42.25)).toBe('42.3s');
  });
});
