// Grad-CAM / Grad-CAM++ on wasm: a tiny model against maps computed by hand, and a torchvision ResNet-18 (weights and
// the reference maps written by scripts/fixtures/make_gradcam_fixtures.py under PyTorch 1.13) for layer4 and middle
// layers; bad input gives errors naming the parameter.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { loadCheckpointIntoModel } from '../../src/checkpoint/index.js';
import { main } from '../../src/cli/main.js';
import { decodePng, encodePng } from '../../src/data/png.js';
import { readNpy } from '../../src/interop/npy.js';
import { createModel } from '../../src/zoo/index.js';
import { Conv2d, Linear, Module, ReLU } from '../../src/nn/index.js';
import { gradCam, type CamMethod } from '../../src/viz/index.js';
import { PYTHON } from '../helpers/torch.js';

/** conv (1×1, 2→3, no bias) → global average pool → fc (3→4). */
class Tiny extends Module {
  readonly conv = this.addModule('conv', new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 1, bias: false }));
  readonly fc = this.addModule('fc', new Linear({ inFeatures: 3, outFeatures: 4 }));
  forward(x: tf.Tensor): tf.Tensor {
    return this.fc.call(tf.mean(this.conv.call(x), [1, 2]));
  }
}

const CONV = [[1, -1], [0.5, 2], [-1, 0.25]]; // [k][c]
const FC = [[1, 2, -1], [-2, 0.5, 1], [0, 0, 0.3], [1, 1, 1]]; // [class][k]
const N = 2, H = 3, W = 4;

function tiny(): Tiny {
  const m = new Tiny();
  m.loadStateDict({
    'conv.weight': tf.tensor4d(CONV.flat(), [3, 2, 1, 1]),
    'fc.weight': tf.tensor2d(FC.flat(), [4, 3]),
    'fc.bias': tf.tensor1d([0.1, 0, -0.2, 0]),
  });
  return m.eval();
}

const X = Array.from({ length: N * H * W * 2 }, (_, i) => Math.sin(i * 1.7) * 2 + 0.3 * (i % 5)); // NHWC

/** The map by hand: A_k = Σ_c CONV[k][c]·x_c, g_k = FC[cls][k] / (H·W) everywhere. */
function handCam(n: number, cls: number, method: CamMethod): number[] {
  const A = (p: number, k: number) => CONV[k]![0]! * X[(n * H * W + p) * 2]! + CONV[k]![1]! * X[(n * H * W + p) * 2 + 1]!;
  const w = [0, 1, 2].map((k) => {
    const g = FC[cls]![k]! / (H * W);
    if (method === 'gradcam') return g;
    let sumA = 0;
    for (let p = 0; p < H * W; p++) sumA += A(p, k);
    const a = g === 0 ? 0 : (g * g) / (2 * g * g + sumA * g * g * g);
    return H * W * a * Math.max(0, g);
  });
  const L = Array.from({ length: H * W }, (_, p) => Math.max(0, w[0]! * A(p, 0) + w[1]! * A(p, 1) + w[2]! * A(p, 2)));
  const lo = Math.min(...L), hi = Math.max(...L);
  return L.map((v) => (v - lo) / (hi - lo + 1e-7));
}

let gc: string;

beforeAll(async () => {
  await useBackend('wasm');
  gc = mkdtempSync(join(tmpdir(), 'chanlab-gradcam-'));
  const r = spawnSync(PYTHON, ['scripts/fixtures/make_gradcam_fixtures.py', gc], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make_gradcam_fixtures.py failed (${r.status}): ${r.stderr}${r.error?.message ?? ''}`);
});
afterAll(() => {
  rmSync(gc, { recursive: true, force: true });
});

describe('tiny model', () => {
  for (const method of ['gradcam', 'gradcam++'] as const) {
    it(`${method} equals the hand-computed map, batched, with per-image classes`, () => {
      const m = tiny();
      const x = tf.tensor4d(X, [N, H, W, 2]);
      const before = tf.memory().numTensors;
      const r = gradCam(m, x, { layer: 'conv', target: [0, 1], method });
      expect(r.cams.shape).toEqual([N, H, W]);
      expect(r.classes).toEqual([0, 1]);
      const got = r.cams.arraySync();
      for (const [n, cls] of [[0, 0], [1, 1]] as const) {
        const want = handCam(n, cls, method);
        got[n]!.flat().forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
      }
      tf.dispose([r.cams, r.logits]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      m.dispose();
    });
  }

  it('a target function of the logits and the default (arg-max) target', () => {
    const m = tiny();
    const x = tf.tensor4d(X, [N, H, W, 2]);
    const byFn = gradCam(m, x, { layer: 'conv', target: (logits) => tf.squeeze(tf.slice(logits, [0, 3], [N, 1]), [1]) as tf.Tensor1D });
    expect(byFn.classes).toEqual([-1, -1]);
    const byIndex = gradCam(m, x, { layer: 'conv', target: 3 });
    expect(Array.from(byFn.cams.dataSync())).toEqual(Array.from(byIndex.cams.dataSync()));
    const argmax = Array.from(tf.argMax(byIndex.logits, 1).dataSync());
    const byDefault = gradCam(m, x, { layer: 'conv' });
    expect(byDefault.classes).toEqual(argmax);
    for (let n = 0; n < N; n++) {
      const want = handCam(n, argmax[n]!, 'gradcam');
      Array.from(byDefault.cams.dataSync().subarray(n * H * W, (n + 1) * H * W)).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    }
    tf.dispose([byFn.cams, byFn.logits, byIndex.cams, byIndex.logits, byDefault.cams, byDefault.logits, x]);
    m.dispose();
  });
});

interface Case { layer: string; method: CamMethod; classes: number[]; shape: number[]; cam: number[] }

describe('torchvision ResNet-18 vs a PyTorch Grad-CAM', () => {
  it('layer4, layer2.1.conv2 (Grad-CAM) and layer4, layer3.0 (Grad-CAM++) match PyTorch', () => {
    const cases = JSON.parse(readFileSync(join(gc, 'cams.json'), 'utf8')) as Record<string, Case>;
    const m = createModel('resnet18');
    loadCheckpointIntoModel(m, join(gc, 'resnet18.pth'));
    m.eval();
    const xn = readNpy(join(gc, 'x.npy'));
    const x = tf.tidy(() => tf.transpose(tf.tensor4d(xn.data as Float32Array, xn.shape as [number, number, number, number]), [0, 2, 3, 1])) as tf.Tensor4D;
    expect(Object.keys(cases)).toHaveLength(4);
    for (const c of Object.values(cases)) {
      const r = gradCam(m, x, { layer: c.layer, method: c.method, target: c.classes });
      expect(r.cams.shape).toEqual(c.shape);
      const got = r.cams.dataSync();
      let maxDiff = 0;
      for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - c.cam[i]!));
      expect(maxDiff, `${c.layer} ${c.method}`).toBeLessThan(1e-4);
      tf.dispose([r.cams, r.logits]);
    }
    x.dispose();
    m.dispose();
  });
});

describe('chanlab gradcam', () => {
  it('x.npy + checkpoint → cam.npy equal to PyTorch; cam.png is the overlays in a row', async () => {
    const cases = JSON.parse(readFileSync(join(gc, 'cams.json'), 'utf8')) as Record<string, Case>;
    const want = cases['layer4:gradcam']!; // classes [3, 7]: image 0 explains class 3
    const args = ['gradcam', '--model', 'resnet18', '--checkpoint', join(gc, 'resnet18.pth'), '--input', join(gc, 'x.npy'), '--layer', 'layer4', '--class', '3'];
    expect(await main([...args, '--output', join(gc, 'cam.npy')])).toBe(0);
    const cam = readNpy(join(gc, 'cam.npy'));
    expect(cam.shape).toEqual([2, 128, 128]);
    let maxDiff = 0;
    for (let i = 0; i < 128 * 128; i++) maxDiff = Math.max(maxDiff, Math.abs((cam.data[i] as number) - want.cam[i]!));
    expect(maxDiff).toBeLessThan(1e-4);
    expect(await main([...args, '--output', join(gc, 'cam.png'), '--colormap', 'viridis', '--alpha', '0.6'])).toBe(0);
    const png = decodePng(readFileSync(join(gc, 'cam.png')));
    expect([png.height, png.width]).toEqual([128, 2 * 128 + 4]);
  });

  it('an image input is resized to --size; bad options name themselves', async () => {
    const img = { data: Uint8Array.from({ length: 30 * 40 * 3 }, (_, i) => (i * 7) % 256), height: 30, width: 40, channels: 3 };
    writeFileSync(join(gc, 'in.png'), encodePng(img));
    const base = ['gradcam', '--model', 'resnet18_small', '--input', join(gc, 'in.png'), '--layer', 'layer3', '--size', '32'];
    expect(await main([...base, '--output', join(gc, 'small.png'), '--method', 'gradcam++'])).toBe(0);
    const png = decodePng(readFileSync(join(gc, 'small.png')));
    expect([png.height, png.width]).toEqual([32, 32]);
    await expect(main([...base, '--output', join(gc, 'x.txt')])).rejects.toThrow(/output: expected a .npy or .png path/);
    await expect(main([...base, '--output', join(gc, 'a.png'), '--input', join(gc, 'missing.png')])).rejects.toThrow(/input: file not found: .*missing.png/);
    await expect(main([...base, '--output', join(gc, 'a.png'), '--class', '1000'])).rejects.toThrow(/class: expected an integer in \[0, 9\]/);
    await expect(main([...base, '--output', join(gc, 'a.png'), '--layer', 'layer5'])).rejects.toThrow(/its layer paths are: conv1, bn1, relu, maxpool, layer1/);
    await expect(main([...base, '--output', join(gc, 'a.png'), '--method', 'cam'])).rejects.toThrow(/--method must be 'gradcam' or 'gradcam\+\+'/);
  });
});

describe('bad input', () => {
  it('a missing layer path lists the model layer paths', () => {
    const m = tiny();
    const x = tf.zeros([1, H, W, 2]) as tf.Tensor4D;
    expect(() => gradCam(m, x, { layer: 'layer9' })).toThrow(/layer: 'layer9' is not a module of Tiny; its layer paths are: conv, fc/);
    tf.dispose(x);
  });

  it('a class index out of range, an input that does not fit, a layer that runs twice', () => {
    const m = createModel('resnet18_small', { numClasses: 10 }).eval();
    const x = tf.zeros([2, 16, 16, 3]) as tf.Tensor4D;
    expect(() => gradCam(m, x, { layer: 'layer4', target: 10 })).toThrow(/class: expected an integer in \[0, 9\].*got 10/);
    expect(() => gradCam(m, x, { layer: 'layer4', target: [1] })).toThrow(/target: expected 2 class indices/);
    const grey = tf.zeros([2, 16, 16, 1]) as tf.Tensor4D;
    expect(() => gradCam(m, grey, { layer: 'layer4' })).toThrow(/input: the model takes 3 input channels, got 1/);
    const flat = tf.zeros([2, 16, 3]);
    expect(() => gradCam(m, flat as unknown as tf.Tensor4D, { layer: 'layer4' })).toThrow(/input: expected a 4-D batch/);
    expect(() => gradCam(m, x, { layer: 'layer4', method: 'cam' as CamMethod })).toThrow(/method: expected 'gradcam' or 'gradcam\+\+'/);
    tf.dispose([x, grey, flat]);
    m.dispose();
  });

  it('a layer that runs twice per forward pass (as a shared ReLU)', () => {
    class Twice extends Module {
      readonly act = this.addModule('act', new ReLU());
      readonly fc = this.addModule('fc', new Linear({ inFeatures: 2, outFeatures: 3 }));
      forward(x: tf.Tensor): tf.Tensor {
        return this.fc.call(tf.mean(this.act.call(tf.neg(this.act.call(x))), [1, 2]));
      }
    }
    const m = new Twice();
    const x = tf.ones([1, 2, 2, 2]) as tf.Tensor4D;
    expect(() => gradCam(m, x, { layer: 'act' })).toThrow(/layer: 'act' runs 2 times per forward pass; pick a module that runs exactly once/);
    x.dispose();
    m.dispose();
  });
});
