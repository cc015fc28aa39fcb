// timm RandAugment's PIL operations against Pillow (/usr/bin/python3, python3-pil) on fixed images: every op
// byte-exact on RGB and L images, including extrapolating enhancement factors and the geometric ops' fill.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import type { Image } from '../../src/data/image.js';
import {
  affine, autoContrast, brightness, color, contrast, equalize, invert, posterize, rotate, sharpness, solarize, solarizeAdd, type Resample,
} from '../../src/data/pil_ops.js';

/** A fixed 23×17 image: smooth gradients plus noise (so histograms, edges and interpolation all matter). */
function fixture(channels: 1 | 3, seed: number, lo = 0, hi = 255): Image {
  const rng = new Rng(seed);
  const H = 23, W = 17;
  const data = new Uint8Array(H * W * channels);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < channels; c++) {
        const v = lo + ((x * 11 + y * 7 + c * 50) % (hi - lo + 1)) * 0.7 + rng.random() * (hi - lo) * 0.3;
        data[(y * W + x) * channels + c] = Math.min(hi, Math.floor(v));
      }
    }
  }
  return { data, height: H, width: W, channels };
}

interface Case {
  name: string;
  op: string;
  args: number[];
  run: (img: Image) => Image;
  resample?: Resample;
  fill?: number[];
}

const FILL = [124, 116, 104];
const cases: Case[] = [
  { name: 'invert', op: 'invert', args: [], run: invert },
  ...[0, 1, 4, 7].map((b) => ({ name: `posterize ${b}`, op: 'posterize', args: [b], run: (i: Image) => posterize(i, b) })),
  ...[0, 77, 128, 256].map((t) => ({ name: `solarize ${t}`, op: 'solarize', args: [t], run: (i: Image) => solarize(i, t) })),
  ...[0, 33, 110].map((a) => ({ name: `solarize_add ${a}`, op: 'solarize_add', args: [a], run: (i: Image) => solarizeAdd(i, a) })),
  { name: 'autocontrast', op: 'autocontrast', args: [], run: autoContrast },
  { name: 'equalize', op: 'equalize', args: [], run: equalize },
  ...(['brightness', 'color', 'contrast', 'sharpness'] as const).flatMap((op) => [0.1, 0.37, 1, 1.63, 1.9].map((f) => ({
    name: `${op} ${f}`, op, args: [f], run: (i: Image) => ({ brightness, color, contrast, sharpness })[op](i, f),
  }))),
  ...(['bilinear', 'bicubic'] as const).flatMap((r) => [
    { name: `shear_x 0.21 ${r}`, op: 'affine', args: [1, 0.21, 0, 0, 1, 0], resample: r, fill: FILL, run: (i: Image) => affine(i, [1, 0.21, 0, 0, 1, 0], r, FILL) },
    { name: `shear_y -0.3 ${r}`, op: 'affine', args: [1, 0, 0, -0.3, 1, 0], resample: r, fill: FILL, run: (i: Image) => affine(i, [1, 0, 0, -0.3, 1, 0], r, FILL) },
    { name: `translate_x 5.355 ${r}`, op: 'affine', args: [1, 0, 5.355, 0, 1, 0], resample: r, fill: FILL, run: (i: Image) => affine(i, [1, 0, 5.355, 0, 1, 0], r, FILL) },
    { name: `translate_y -4.14 ${r}`, op: 'affine', args: [1, 0, 0, 0, 1, -4.14], resample: r, fill: FILL, run: (i: Image) => affine(i, [1, 0, 0, 0, 1, -4.14], r, FILL) },
    ...[21, -13.5, 0.7].map((d) => ({ name: `rotate ${d} ${r}`, op: 'rotate', args: [d], resample: r, fill: FILL, run: (i: Image) => rotate(i, d, r, FILL) })),
  ]),
];

const b64 = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function pillow(tasks: Array<Record<string, unknown>>): Uint8Array[] {
  const out = execFileSync('/usr/bin/python3', [join(process.cwd(), 'test/data/pil_oracle.py')], { input: JSON.stringify(tasks), maxBuffer: 1 << 26, encoding: 'utf8' });
  return (JSON.parse(out) as string[]).map((s) => new Uint8Array(Buffer.from(s, 'base64')));
}

describe('PIL ops against Pillow', () => {
  const images: Array<[string, Image]> = [['RGB', fixture(3, 1)], ['L', fixture(1, 2)], ['RGB low contrast', fixture(3, 3, 60, 140)]];
  const tasks = images.flatMap(([, img]) => cases.map((c) => ({
    op: c.op, args: c.args, resample: c.resample, fill: c.fill, h: img.height, w: img.width, c: img.channels, data: b64(img.data as Uint8Array),
  })));
  const expected = pillow(tasks);
  let k = 0;
  for (const [label, img] of images) {
    for (const c of cases) {
      const want = expected[k++]!;
      it(`${c.name} (${label})`, () => {
        const got = c.run(img);
        expect(got.height).toBe(img.height);
        const diff = [...got.data].map((v, i) => v - want[i]!).filter((d) => d !== 0);
        expect(diff, `${diff.length} of ${want.length} values differ`).toEqual([]);
      });
    }
  }

  it('bad input names the parameter', () => {
    expect(() => posterize(fixture(3, 1), 9)).toThrow(/posterize: bits must be an integer in \[0, 8\], got 9/);
    expect(() => invert({ data: new Float32Array(3), height: 1, width: 1, channels: 3 })).toThrow(/expected a uint8 image/);
    expect(() => affine(fixture(1, 1), [1, 0, 0], 'bilinear', [0])).toThrow(/matrix must be 6 finite numbers/);
  });
});
