// Transforms against hand-computed expectations and against torchvision 0.14 / PIL (run as an oracle).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { pyRound, type Image } from '../../src/data/image.js';
import { resize, resizedSize, resizeTo } from '../../src/data/resize.js';
import type { RandomSource } from '../../src/data/rng_source.js';
import {
  centerCrop, centerCropBox, crop, hflip, normalize, pad, randomCrop, randomHorizontalFlip, randomResizedCropBox, toFloat,
} from '../../src/data/transforms.js';

const u8 = (h: number, w: number, c: number, f: (i: number) => number): Image => ({
  data: Uint8Array.from({ length: h * w * c }, (_, i) => f(i)), height: h, width: w, channels: c,
});
const at = (img: Image, y: number, x: number, c = 0) => img.data[(y * img.width + x) * img.channels + c]!;

/** Replays recorded torchvision draws: uniform values in order, randint values checked against their bound. */
class Replay implements RandomSource {
  private k = 0;
  constructor(private readonly draws: Array<['u', number] | ['i', number, number]>) {}
  private take(kind: 'u' | 'i') {
    const d = this.draws[this.k++];
    if (!d || d[0] !== kind) throw new Error(`replay: expected a '${kind}' draw at ${this.k - 1}, recorded ${JSON.stringify(d)}`);
    return d;
  }
  random(): number { return this.take('u')[1]; }
  uniform(): number { return this.take('u')[1]; }
  randint(n: number): number {
    const d = this.take('i') as ['i', number, number];
    expect(n).toBe(d[2]);
    return d[1];
  }
  beta(): number { throw new Error('no beta'); }
  normal(): number { throw new Error('no normal'); }
  get used(): number { return this.k; }
}

type Task = Record<string, unknown>;
function oracle(tasks: Task[]): Array<Record<string, unknown>> {
  const out = execFileSync('/usr/bin/python3', [join(process.cwd(), 'test/data/oracle.py')], {
    input: JSON.stringify(tasks), maxBuffer: 1 << 28, encoding: 'utf8',
  });
  return JSON.parse(out);
}
const b64 = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const imgTask = (img: Image) => ({ h: img.height, w: img.width, c: img.channels, data: b64(img.data as Uint8Array) });

describe('hand-computed geometry', () => {
  it('pyRound is half-to-even like Python', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, 3].map(pyRound)).toEqual([0, 2, 2, -0, -2, 2, 3, 3]);
  });

  it('resize size rounding: shorter side → size, longer = int(size·long/short)', () => {
    expect(resizedSize(375, 500, 256)).toEqual([256, 341]); // 256·500/375 = 341.33
    expect(resizedSize(500, 333, 256)).toEqual([384, 256]); // 256·500/333 = 384.38
    expect(resizedSize(300, 300, 256)).toEqual([256, 256]);
    expect(resizedSize(10, 7, [3, 4])).toEqual([3, 4]);
  });

  it('center crop box uses Python rounding of (h − th)/2', () => {
    expect(centerCropBox(256, 341, 224, 224)).toEqual({ top: 16, left: 58, height: 224, width: 224 }); // 117/2 = 58.5 → 58
    expect(centerCropBox(227, 229, 224, 224)).toEqual({ top: 2, left: 2, height: 224, width: 224 }); // 1.5 → 2, 2.5 → 2
    const img = u8(5, 6, 1, (i) => i);
    const c = centerCrop(img, [2, 3]); // top round(1.5)=2, left round(1.5)=2
    expect(Array.from(c.data)).toEqual([14, 15, 16, 20, 21, 22]);
    const p = centerCrop(u8(1, 2, 1, () => 9), [4, 5]); // padded l1 t1 r2 b2
    expect(Array.from(p.data)).toEqual([0, 0, 0, 0, 0, 0, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('crop zero-fills outside, pad, hflip', () => {
    const img = u8(2, 2, 2, (i) => i + 1);
    expect(Array.from(crop(img, { top: -1, left: 1, height: 2, width: 2 }).data)).toEqual([0, 0, 0, 0, 3, 4, 0, 0]);
    expect(Array.from(pad(u8(1, 1, 1, () => 5), 1).data)).toEqual([0, 0, 0, 0, 5, 0, 0, 0, 0]);
    expect(Array.from(hflip(img).data)).toEqual([3, 4, 1, 2, 7, 8, 5, 6]);
    const f = new Float32Array([0.5, 0.25]);
    expect(Array.from(hflip({ data: f, height: 1, width: 2, channels: 1 }).data)).toEqual([0.25, 0.5]);
  });

  it('random crop with padding 4: the window follows the two draws (top, then left)', () => {
    const img = u8(32, 32, 3, (i) => (i % 251) + 1);
    const draws: Array<['i', number, number]> = [['i', 0, 9], ['i', 8, 9]];
    const out = randomCrop(img, 32, new Replay(draws), 4);
    // top 0, left 8 of the 40×40 padded image → rows −4.., cols 4..
    expect([out.height, out.width]).toEqual([32, 32]);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) {
      const sy = y - 4, sx = x + 4;
      expect(at(out, y, x, 1)).toBe(sy >= 0 && sx < 32 ? at(img, sy, sx, 1) : 0);
    }
    // statistically: 9×9 offsets all reachable with a real Rng
    const rng = new Rng(3);
    const seen = new Set<string>();
    const marker = u8(32, 32, 1, (i) => (i === 0 ? 255 : 0));
    for (let t = 0; t < 2000; t++) {
      const o = randomCrop(marker, 32, rng, 4);
      const k = o.data.indexOf(255);
      seen.add(String(k));
    }
    expect(seen.size).toBeGreaterThanOrEqual(25); // marker visible for offsets (top, left) ≤ 4: 5×5 positions
  });

  it('random flip: p = 0.5 draw', () => {
    const img = u8(1, 3, 1, (i) => i);
    expect(Array.from(randomHorizontalFlip(img, new Replay([['u', 0.49]])).data)).toEqual([2, 1, 0]);
    expect(randomHorizontalFlip(img, new Replay([['u', 0.5]]))).toBe(img);
  });

  it('randomResizedCrop fallback (all 10 attempts fail): central crop clamped to the ratio', () => {
    // scale > 1 makes every attempt too large
    const wide = randomResizedCropBox(100, 400, new Rng(1), [4, 5]);
    expect(wide).toEqual({ top: 0, left: 133, height: 100, width: 133 }); // w = round(100·4/3) = 133, left = 267//2
    const tall = randomResizedCropBox(301, 100, new Rng(1), [4, 5]);
    expect(tall).toEqual({ top: 84, left: 0, height: 133, width: 100 }); // h = round(100/(3/4)) = 133, top = (301−133)//2 = 84
  });

  it('toFloat and normalize', () => {
    const img = u8(1, 1, 3, (i) => [0, 128, 255][i]!);
    expect(Array.from(toFloat(img).data)).toEqual([0, Math.fround(128 / 255), 1]);
    const n = normalize(img, [0.5, 0.5, 0.5], [0.25, 0.5, 1]);
    expect(n.data[0]).toBeCloseTo(-2, 6);
    expect(n.data[2]).toBeCloseTo(0.5, 6);
    expect(() => normalize(img, [0.5], [1])).toThrow(/normalize mean\/std: expected 3/);
  });
});

describe('torchvision 0.14 / PIL oracle', () => {
  const rng = new Rng(42);
  const rand = (h: number, w: number, c: number) => u8(h, w, c, () => rng.randint(256));
  // smooth-ish images too, so rounding between passes matters on realistic content
  const smooth = (h: number, w: number, c: number) => u8(h, w, c, (i) => {
    const p = Math.floor(i / c), y = Math.floor(p / w), x = p % w;
    return Math.round(127.5 + 127.5 * Math.sin(x * 0.37 + (i % c)) * Math.cos(y * 0.21));
  });
  const resizeCases: Array<[Image, number | [number, number], 'bilinear' | 'bicubic']> = [
    [rand(37, 50, 3), 24, 'bilinear'],
    [smooth(375, 500, 3), 256, 'bilinear'],
    [smooth(500, 333, 3), 256, 'bicubic'],
    [rand(20, 31, 1), [45, 9], 'bicubic'],
    [rand(13, 17, 3), [40, 50], 'bilinear'],
    [smooth(64, 48, 3), [64, 20], 'bicubic'], // vertical pass skipped
    [rand(29, 29, 3), [11, 29], 'bilinear'], // horizontal pass skipped
  ];
  const ccCases: Array<[Image, number | [number, number]]> = [[rand(7, 10, 3), 4], [rand(6, 9, 1), [3, 4]], [rand(3, 4, 3), [6, 9]], [rand(256, 341, 3), 224]];
  const rrcCases = Array.from({ length: 300 }, (_, k) => ({
    h: 20 + ((k * 37) % 600), w: 20 + ((k * 91) % 700), seed: k,
    scale: k % 7 === 0 ? [0.6, 1.0] : [0.08, 1.0], ratio: k % 5 === 0 ? [0.5, 2.0] : [3 / 4, 4 / 3],
  }));
  rrcCases.push({ h: 50, w: 400, seed: 7, scale: [0.95, 1], ratio: [3 / 4, 4 / 3] }); // forces the fallback
  const rcImg = smooth(120, 90, 3);
  const rcBox = { top: 13, left: 7, height: 77, width: 61 };
  const normImg = rand(5, 6, 3);
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  const fimg = (h: number, w: number): Image => ({ data: Float32Array.from({ length: h * w }, () => rng.normal()), height: h, width: w, channels: 1 });
  const floatCases: Array<[Image, number, number, 'bilinear' | 'bicubic']> = [[fimg(30, 41), 13, 20, 'bilinear'], [fimg(17, 12), 40, 7, 'bicubic']];
  const b64f = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  const tasks: Task[] = [
    ...resizeCases.map(([img, size, interp]) => ({ kind: 'resize', ...imgTask(img), size: typeof size === 'number' ? [size] : size, interp })),
    ...ccCases.map(([img, size]) => ({ kind: 'center_crop', ...imgTask(img), size: typeof size === 'number' ? [size] : size })),
    ...rrcCases.map((c) => ({ kind: 'rrc_box', ...c })),
    { kind: 'resized_crop', ...imgTask(rcImg), box: [rcBox.top, rcBox.left, rcBox.height, rcBox.width], size: 56, interp: 'bilinear' },
    { kind: 'normalize', ...imgTask(normImg), mean, std },
    ...floatCases.map(([img, oh, ow, interp]) => ({ kind: 'resize_f', h: img.height, w: img.width, oh, ow, interp, data: b64f(img.data as Float32Array) })),
  ];
  const res = oracle(tasks);
  // fixed offsets into the results, so one failing group does not shift the others
  const start = { resize: 0, cc: resizeCases.length, rrc: resizeCases.length + ccCases.length };
  const rest = start.rrc + rrcCases.length;

  it('resize (PIL bilinear / bicubic with antialiasing) is bit-exact on uint8', () => {
    for (const [k, [img, size, interp]] of resizeCases.entries()) {
      const o = res[start.resize + k] as { h: number; w: number; data: string };
      const mine = resize(img, size, interp);
      expect([mine.height, mine.width]).toEqual([o.h, o.w]);
      const want = Buffer.from(o.data, 'base64');
      let diff = 0;
      for (let i = 0; i < want.length; i++) if (want[i] !== mine.data[i]) diff++;
      expect(diff, `${interp} ${img.height}×${img.width} → ${size}`).toBe(0);
    }
  });

  it('center crop (incl. zero padding) matches', () => {
    for (const [k, [img, size]] of ccCases.entries()) {
      const o = res[start.cc + k] as { h: number; w: number; data: string };
      const mine = centerCrop(img, size);
      expect([mine.height, mine.width]).toEqual([o.h, o.w]);
      expect(Buffer.compare(Buffer.from(mine.data), Buffer.from(o.data, 'base64'))).toBe(0);
    }
  });

  it('RandomResizedCrop.get_params: same boxes from the same draws (10 attempts, fallback)', () => {
    let fallbacks = 0;
    for (const [k, c] of rrcCases.entries()) {
      const o = res[start.rrc + k] as { box: number[]; draws: Array<['u', number] | ['i', number, number]> };
      const rep = new Replay(o.draws);
      const b = randomResizedCropBox(c.h, c.w, rep, c.scale as [number, number], c.ratio as [number, number]);
      expect([b.top, b.left, b.height, b.width], JSON.stringify(c)).toEqual(o.box);
      expect(rep.used).toBe(o.draws.length);
      if (o.draws.length === 20) fallbacks++;
    }
    expect(fallbacks).toBeGreaterThanOrEqual(1);
  });

  it('resized_crop (crop + resize) matches', () => {
    const o = res[rest] as { h: number; w: number; data: string };
    const mine = resizeTo(crop(rcImg, rcBox), 56, 56, 'bilinear');
    expect(Buffer.from(mine.data)).toEqual(Buffer.from(o.data, 'base64'));
  });

  it('ToTensor + Normalize is float32-exact', () => {
    const o = res[rest + 1] as { data: string };
    const want = new Float32Array(new Uint8Array(Buffer.from(o.data, 'base64')).buffer);
    expect(Array.from(normalize(normImg, mean, std).data)).toEqual(Array.from(want));
  });

  it('float32 resize follows PIL mode F (no rounding between passes)', () => {
    for (const [k, [img, oh, ow, interp]] of floatCases.entries()) {
      const o = res[rest + 2 + k] as { data: string };
      const want = new Float32Array(new Uint8Array(Buffer.from(o.data, 'base64')).buffer);
      const mine = resizeTo(img, oh, ow, interp).data;
      expect(mine.length).toBe(want.length);
      let maxErr = 0;
      for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(mine[i]! - want[i]!));
      expect(maxErr).toBe(0); // double accumulation, float32 storage: bit-exact
    }
  });
});
