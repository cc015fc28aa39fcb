// timm RandAugment policy (rand-m7-mstd0.5-inc1) and RandomErasing (p 0.25): parsing, the op list, a scripted draw
// sequence replayed against Pillow, and the erasing box geometry by hand.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import type { Image } from '../../src/data/image.js';
import { imagenetTrainTransform } from '../../src/data/presets.js';
import { parseRandAugment, randAugment, randAugmentOpNames } from '../../src/data/rand_augment.js';
import { randomErasing, randomErasingBox } from '../../src/data/random_erasing.js';
import type { RandomSource } from '../../src/data/rng_source.js';
import { loadConfig } from '../../src/train/config.js';
import { trainTransform } from '../../src/train/data.js';

/** Scripted draws: each call takes the next value of its kind. */
class Script implements RandomSource {
  constructor(private readonly d: { random?: number[]; randint?: number[]; normal?: number[]; uniform?: number[] }) {}
  private next(k: 'random' | 'randint' | 'normal' | 'uniform'): number {
    const v = this.d[k]?.shift();
    if (v === undefined) throw new Error(`script: no ${k} draw left`);
    return v;
  }
  random(): number { return this.next('random'); }
  uniform(): number { return this.next('uniform'); }
  randint(n: number): number {
    const v = this.next('randint');
    expect(v).toBeLessThan(n);
    return v;
  }
  beta(): number { throw new Error('no beta'); }
  normal(): number { return this.next('normal'); }
  left(): number { return Object.values(this.d).reduce((a, v) => a + (v?.length ?? 0), 0); }
}

function fixture(): Image {
  const rng = new Rng(5);
  const H = 19, W = 21;
  const data = Uint8Array.from({ length: H * W * 3 }, (_, i) => Math.min(255, Math.floor(((i * 37) % 256) * 0.6 + rng.random() * 100)));
  return { data, height: H, width: W, channels: 3 };
}

function pillow(tasks: Array<Record<string, unknown>>): Uint8Array[] {
  const out = execFileSync('/usr/bin/python3', [join(process.cwd(), 'test/data/pil_oracle.py')], { input: JSON.stringify(tasks), encoding: 'utf8' });
  return (JSON.parse(out) as string[]).map((s) => new Uint8Array(Buffer.from(s, 'base64')));
}
const task = (img: Image, op: string, args: number[], extra: Record<string, unknown> = {}) => ({
  op, args, h: img.height, w: img.width, c: img.channels, data: Buffer.from(img.data as Uint8Array).toString('base64'), ...extra,
});

describe('RandAugment (timm rand-m7-mstd0.5-inc1)', () => {
  it('parses timm strings; the increasing op list is timm\'s', () => {
    expect(parseRandAugment('rand-m7-mstd0.5-inc1')).toEqual({ numLayers: 2, magnitude: 7, magnitudeStd: 0.5, magnitudeMax: 10, increasing: true });
    expect(parseRandAugment('rand-m9-n3-mstd101-mmax12')).toEqual({ numLayers: 3, magnitude: 9, magnitudeStd: Infinity, magnitudeMax: 12, increasing: false });
    expect(randAugmentOpNames(parseRandAugment('rand-m7-mstd0.5-inc1'))).toEqual([
      'AutoContrast', 'Equalize', 'Invert', 'Rotate', 'PosterizeIncreasing', 'SolarizeIncreasing', 'SolarizeAdd', 'ColorIncreasing',
      'ContrastIncreasing', 'BrightnessIncreasing', 'SharpnessIncreasing', 'ShearX', 'ShearY', 'TranslateXRel', 'TranslateYRel',
    ]);
    expect(() => parseRandAugment('augmix-m3')).toThrow(/expected a string starting with 'rand-'/);
    expect(() => parseRandAugment('rand-w0')).toThrow(/unknown section 'w'/);
    expect(() => parseRandAugment('rand-m')).toThrow(/cannot read section 'm'/);
  });

  it('a scripted draw sequence equals Pillow applying timm\'s op arguments', () => {
    const img = fixture();
    const fill = [124, 116, 104];
    const ra = randAugment('rand-m7-mstd0.5-inc1', { fill, resample: 'bicubic' });
    // ops: Rotate (3), then ContrastIncreasing (8), then SolarizeIncreasing (5) skipped (random 0.9 > 0.5)
    // Rotate: applied (0.2), magnitude N → 7.4, negated (0.7 > 0.5): −(7.4/10)·30 = −22.2°
    // Contrast: applied (0.4), magnitude N → 12 → clipped to 10, not negated (0.3): max(0.1, 1 + 0.9) = 1.9
    const s = new Script({ randint: [3, 8, 5], random: [0.2, 0.7, 0.4, 0.3, 0.9], normal: [7.4, 12] });
    const got = randAugment({ ...parseRandAugment('rand-m7-mstd0.5-inc1'), numLayers: 3 }, { fill, resample: 'bicubic' })(img, s);
    expect(s.left()).toBe(0);
    const [rotated] = pillow([task(img, 'rotate', [-22.2], { resample: 'bicubic', fill })]);
    const [want] = pillow([task({ ...img, data: rotated! }, 'contrast', [1.9])]);
    expect(Buffer.from(got.data as Uint8Array).equals(Buffer.from(want!))).toBe(true);
    // the 2-op transform with a seeded Rng is deterministic and changes the image
    const a = ra(img, new Rng(1));
    expect(Buffer.from(a.data as Uint8Array).equals(Buffer.from(ra(img, new Rng(1)).data as Uint8Array))).toBe(true);
  });

  it('increasing levels: posterize keeps 4 − ⌊m·0.4⌋ bits, solarize thresholds at 256 − ⌊m·25.6⌋, translate by 0.45·m/10 of the size', () => {
    const img = fixture();
    const cfg = { ...parseRandAugment('rand-m7-mstd0.5-inc1'), numLayers: 1 };
    const run = (op: number, random: number[], normal: number) => randAugment(cfg, { resample: 'bilinear', fill: [1, 2, 3] })(img, new Script({ randint: [op], random, normal: [normal] }));
    const [post, sol, tx] = pillow([
      task(img, 'posterize', [4 - Math.trunc(0.65 * 4)]), task(img, 'solarize', [256 - Math.trunc(0.65 * 256)]),
      task(img, 'affine', [1, 0, 0.45 * 0.65 * 21, 0, 1, 0], { resample: 'bilinear', fill: [1, 2, 3] }),
    ]);
    expect(Buffer.from(run(4, [0.1], 6.5).data as Uint8Array).equals(Buffer.from(post!))).toBe(true);
    expect(Buffer.from(run(5, [0.1], 6.5).data as Uint8Array).equals(Buffer.from(sol!))).toBe(true);
    expect(Buffer.from(run(13, [0.1, 0.2], 6.5).data as Uint8Array).equals(Buffer.from(tx!))).toBe(true);
  });
});

describe('RandomErasing (timm, mode pixel, p 0.25)', () => {
  it('box geometry by hand; gating by p; no box after 10 failed attempts', () => {
    // area frac 0.1 of 20×30 = 60 px, log-aspect 0 → 1: h = w = round(√60) = 8; top 3, left 11
    expect(randomErasingBox(20, 30, new Script({ random: [0.2], uniform: [0.1, 0], randint: [3, 11] }), { p: 0.25 })).toEqual([3, 11, 8, 8]);
    expect(randomErasingBox(20, 30, new Script({ random: [0.3] }), { p: 0.25 })).toBeNull();
    // each attempt asks for 1/3 of the image at aspect 1/0.3 → h = round(√(200·3.33)) = 26 ≥ 20: never fits
    const s = new Script({ random: [0], uniform: Array.from({ length: 20 }, (_, i) => (i % 2 ? Math.log(1 / 0.3) : 1 / 3)) });
    expect(randomErasingBox(20, 30, s, { p: 0.25 })).toBeNull();
    expect(s.left()).toBe(0);
    expect(() => randomErasingBox(4, 4, new Rng(0), { p: 1.5 })).toThrow(/p must be in \[0, 1\], got 1.5/);
  });

  it('fills the box with N(0, 1) per value and leaves the rest', () => {
    const img: Image = { data: new Float32Array(20 * 30 * 3).fill(7), height: 20, width: 30, channels: 3 };
    const normals = Array.from({ length: 8 * 8 * 3 }, (_, i) => i / 1000);
    const out = randomErasing(img, new Script({ random: [0.2], uniform: [0.1, 0], randint: [3, 11], normal: [...normals] }), { p: 0.25 });
    let k = 0;
    for (let y = 0; y < 20; y++) {
      for (let x = 0; x < 30; x++) {
        for (let c = 0; c < 3; c++) {
          const inside = y >= 3 && y < 11 && x >= 11 && x < 19;
          expect(out.data[(y * 30 + x) * 3 + c]).toBeCloseTo(inside ? normals[k++]! : 7, 6);
        }
      }
    }
    expect(img.data[0]).toBe(7);
  });

  it('the PiX LAMB train pipeline applies both (and refuses them outside random_resized_crop)', () => {
    const t = imagenetTrainTransform({ size: 16, interpolation: 'bicubic', randAugment: 'rand-m7-mstd0.5-inc1', randomErasing: 1 });
    const out = t(fixture(), new Rng(3));
    expect(out.data).toBeInstanceOf(Float32Array);
    expect([out.height, out.width, out.channels]).toEqual([16, 16, 3]);
    const lamb = loadConfig('pix-imagenet-lamb');
    expect([lamb.data.randAugment, lamb.data.randomErasing]).toEqual(['rand-m7-mstd0.5-inc1', 0.25]);
    expect(() => trainTransform({ dataset: 'fashion_mnist', randAugment: 'rand-m7' }, {} as never)).toThrow(/expected augment 'random_resized_crop'/);
  });
});
