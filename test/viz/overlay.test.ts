// PNG encoding (round trip through the decoder and through PIL), colormaps, overlays and PiX probability collection.
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { decodePng, encodePng } from '../../src/data/png.js';
import { createModel } from '../../src/zoo/index.js';
import { colormapTable, collectPixProbabilities, heatmapImage, hstack, overlayCam, pixActivationPaths } from '../../src/viz/index.js';
import { PYTHON } from '../helpers/torch.js';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('encodePng', () => {
  it('RGB and grey images decode back to the same pixels here and in PIL', () => {
    const rgb = { data: Uint8Array.from({ length: 5 * 7 * 3 }, (_, i) => (i * 37) % 256), height: 5, width: 7, channels: 3 };
    const png = encodePng(rgb);
    expect(Array.from(decodePng(png).data)).toEqual(Array.from(rgb.data));
    const r = spawnSync(PYTHON, ['-c', 'import sys, io\nfrom PIL import Image\nim = Image.open(io.BytesIO(sys.stdin.buffer.read()))\nprint(im.mode, im.size, list(im.getdata())[:2])'], { input: png, encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('RGB (7, 5) [(0, 37, 74), (111, 148, 185)]');
    const grey = { data: Uint8Array.from({ length: 12 }, (_, i) => i * 20), height: 3, width: 4, channels: 1 };
    const back = decodePng(encodePng(grey));
    expect(Array.from(back.data.filter((_, i) => i % 3 === 0))).toEqual(Array.from(grey.data));
  });

  it('rejects float data and bad channel counts', () => {
    expect(() => encodePng({ data: new Float32Array(3), height: 1, width: 1, channels: 3 })).toThrow(/uint8/);
    expect(() => encodePng({ data: new Uint8Array(4), height: 1, width: 1, channels: 4 })).toThrow(/channels must be 1 or 3, got 4/);
  });
});

describe('colormaps and overlays', () => {
  it('turbo and viridis run dark to bright through their known end points', () => {
    const v = colormapTable('viridis');
    expect(Array.from(v.subarray(0, 3))).toEqual([0x44, 0x01, 0x54]);
    expect(Array.from(v.subarray(765, 768))).toEqual([0xfd, 0xe7, 0x25]);
    const t = colormapTable('turbo');
    expect(t[0]! + t[1]! + t[2]!).toBeLessThan(120); // dark at 0
    expect(t[382]!).toBeGreaterThan(240); // bright green-yellow in the middle
    expect(t[765]! > 100 && t[767]! < 30).toBe(true); // dark red at 1
    expect(() => colormapTable('jet' as 'turbo')).toThrow(/colormap: expected one of turbo, viridis, got 'jet'/);
  });

  it('alpha blends the heat map over the image', () => {
    const img = { data: new Uint8Array([200, 100, 0, 0, 0, 0]), height: 1, width: 2, channels: 3 };
    const cam = [0, 1];
    const heat = heatmapImage(cam, 1, 2, 'viridis');
    const half = overlayCam(img, cam, { alpha: 0.5, colormap: 'viridis' });
    expect(Array.from(half.data)).toEqual([0, 1, 2, 3, 4, 5].map((i) => Math.round(0.5 * img.data[i]! + 0.5 * heat.data[i]!)));
    expect(Array.from(overlayCam(img, cam, { alpha: 1, colormap: 'viridis' }).data)).toEqual(Array.from(heat.data));
    expect(() => overlayCam(img, cam, { alpha: 2 })).toThrow(/alpha: expected a number in \[0, 1\], got 2/);
    expect(() => overlayCam(img, [0.5])).toThrow(/cam: expected 1×2 = 2 values, got 1/);
    expect(() => heatmapImage([NaN], 1, 1)).toThrow(/not finite/);
    const row = hstack([half, half], 3);
    expect([row.height, row.width]).toEqual([1, 7]);
    expect(Array.from(row.data.subarray(6, 9))).toEqual([255, 255, 255]);
  });
});

describe('PiX sampling probabilities', () => {
  it('collects p of every PiX module per stage, equal to the modules’ own probabilities', async () => {
    const m = createModel('pix_resnet20_small').eval();
    const paths = pixActivationPaths(m);
    expect(paths.length).toBeGreaterThan(3);
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const r = await collectPixProbabilities(m, [x, x]);
    expect([...r.stages.keys()]).toEqual(['layer1', 'layer2', 'layer3']);
    // layer2.blocks.1: p from its own predictor on its input, captured with a pre-hook
    const block = m.getModule('layer2.blocks.1');
    let want: Float32Array | null = null;
    const rm = block.registerForwardPreHook((_m, input) => {
      const p = tf.tidy(() => tf.sigmoid(m.getModule('layer2.blocks.1.conv_sqz').call(tf.mean(input, [1, 2], true))));
      want = p.dataSync() as Float32Array;
      p.dispose();
    });
    tf.tidy(() => { m.call(x); });
    rm();
    const got = r.modules.get('layer2.blocks.1')!;
    expect(got.length).toBe(2 * want!.length);
    Array.from(want!).forEach((v, i) => { expect(got[i]).toBeCloseTo(v, 5); expect(got[want!.length + i]).toBeCloseTo(v, 5); });
    const stage2 = [...r.modules].filter(([k]) => k.startsWith('layer2.')).reduce((s, [, v]) => s + v.length, 0);
    expect(r.stages.get('layer2')!.length).toBe(stage2);
    await expect(collectPixProbabilities(createModel('resnet8_small'), [x])).rejects.toThrow(/model: ResNet has no PiX modules/);
    x.dispose();
  });
});
