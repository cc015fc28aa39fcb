// PIL's image operations as timm's RandAugment calls them (Pillow 9.4 arithmetic: LUT ops, ImageEnhance blends in
// float32 with truncation, the SMOOTH filter, affine resampling with bilinear/bicubic filters and a fill colour).
// uint8 HWC images with 1 (L) or 3 (RGB) channels.
import { emptyLike, type Image } from './image.js';

function checkU8(img: Image, owner: string): Uint8Array {
  if (!(img.data instanceof Uint8Array)) throw new Error(`${owner}: expected a uint8 image (before toFloat), got float32`);
  if (img.channels !== 1 && img.channels !== 3) throw new Error(`${owner}: expected 1 (L) or 3 (RGB) channels, got ${img.channels}`);
  return img.data;
}

/** Applies one 256-entry lookup table per channel. */
export function applyLut(img: Image, luts: ReadonlyArray<ArrayLike<number>>): Image {
  const src = checkU8(img, 'applyLut');
  const out = emptyLike(src, img.height, img.width, img.channels).data as Uint8Array;
  const c = img.channels;
  for (let k = 0; k < c; k++) {
    const lut = Uint8Array.from(luts[k]!);
    for (let i = k; i < src.length; i += c) out[i] = lut[src[i]!]!;
  }
  return { data: out, height: img.height, width: img.width, channels: c };
}

function sameLut(img: Image, f: (v: number) => number): Image {
  const lut = Uint8Array.from({ length: 256 }, (_, v) => f(v));
  return applyLut(img, Array.from({ length: img.channels }, () => lut));
}

function histograms(img: Image): Int32Array[] {
  const src = checkU8(img, 'histogram');
  const c = img.channels;
  return Array.from({ length: c }, (_, k) => {
    const h = new Int32Array(256);
    for (let i = k; i < src.length; i += c) h[src[i]!]!++;
    return h;
  });
}

export const invert = (img: Image): Image => sameLut(img, (v) => 255 - v);

/** ImageOps.posterize: keep the `bits` most significant bits (0 … 8). */
export function posterize(img: Image, bits: number): Image {
  if (!Number.isInteger(bits) || bits < 0 || bits > 8) throw new Error(`posterize: bits must be an integer in [0, 8], got ${bits}`);
  const mask = ~(2 ** (8 - bits) - 1);
  return sameLut(img, (v) => v & mask);
}

/** ImageOps.solarize: invert the values ≥ threshold. */
export const solarize = (img: Image, threshold: number): Image => sameLut(img, (v) => (v < threshold ? v : 255 - v));

/** timm's solarize_add: add `add` (clipped at 255) to the values below threshold. */
export const solarizeAdd = (img: Image, add: number, threshold = 128): Image => sameLut(img, (v) => (v < threshold ? Math.min(255, v + add) : v));

/** ImageOps.autocontrast (cutoff 0): stretch each channel's [min, max] to [0, 255]. */
export function autoContrast(img: Image): Image {
  const luts = histograms(img).map((h) => {
    let lo = 0;
    while (lo < 256 && h[lo] === 0) lo++;
    let hi = 255;
    while (hi >= 0 && h[hi] === 0) hi--;
    if (hi <= lo) return Uint8Array.from({ length: 256 }, (_, v) => v);
    const scale = 255 / (hi - lo);
    const offset = -lo * scale;
    return Uint8Array.from({ length: 256 }, (_, v) => Math.min(255, Math.max(0, Math.trunc(v * scale + offset))));
  });
  return applyLut(img, luts);
}

/** ImageOps.equalize: per-channel histogram equalisation with PIL's integer steps. */
export function equalize(img: Image): Image {
  const luts = histograms(img).map((h) => {
    const used = h.filter((n) => n > 0);
    const identity = Uint8Array.from({ length: 256 }, (_, v) => v);
    if (used.length <= 1) return identity;
    const step = Math.floor((used.reduce((a, b) => a + b, 0) - used[used.length - 1]!) / 255);
    if (!step) return identity;
    const lut = new Uint8Array(256);
    let n = Math.floor(step / 2);
    for (let i = 0; i < 256; i++) {
      lut[i] = Math.min(255, Math.floor(n / step));
      n += h[i]!;
    }
    return lut;
  });
  return applyLut(img, luts);
}

/** Image.blend(a, b, alpha) = a + alpha·(b − a) in float32, truncated (clipped to [0, 255] when extrapolating). */
export function blend(a: Image, b: Image, alpha: number): Image {
  const x = checkU8(a, 'blend');
  const y = checkU8(b, 'blend');
  if (a.height !== b.height || a.width !== b.width || a.channels !== b.channels) throw new Error('blend: images must have the same shape');
  const al = Math.fround(alpha);
  const out = emptyLike(x, a.height, a.width, a.channels);
  for (let i = 0; i < x.length; i++) {
    const t = Math.fround(x[i]! + Math.fround(al * (y[i]! - x[i]!)));
    out.data[i] = t <= 0 ? 0 : t >= 255 ? 255 : Math.trunc(t);
  }
  return out;
}

/** PIL's RGB → L: (r·19595 + g·38470 + b·7471 + 2¹⁵) >> 16, one value per pixel. */
export function toGray(img: Image): Uint8Array {
  const src = checkU8(img, 'toGray');
  if (img.channels === 1) return src.slice();
  const out = new Uint8Array(img.height * img.width);
  for (let p = 0; p < out.length; p++) {
    out[p] = (src[3 * p]! * 19595 + src[3 * p + 1]! * 38470 + src[3 * p + 2]! * 7471 + 0x8000) >>> 16;
  }
  return out;
}

function fromGray(g: Uint8Array, like: Image): Image {
  const out = emptyLike(like.data, like.height, like.width, like.channels);
  const c = like.channels;
  for (let p = 0; p < g.length; p++) for (let k = 0; k < c; k++) out.data[p * c + k] = g[p]!;
  return out;
}

/** ImageEnhance.Brightness: blend with black. */
export const brightness = (img: Image, factor: number): Image => blend(emptyLike(checkU8(img, 'brightness'), img.height, img.width, img.channels), img, factor);

/** ImageEnhance.Color: blend with the grayscale image (identity on L images). */
export const color = (img: Image, factor: number): Image => blend(fromGray(toGray(img), img), img, factor);

/** ImageEnhance.Contrast: blend with a flat image at the (rounded) mean gray level. */
export function contrast(img: Image, factor: number): Image {
  const g = toGray(img);
  let sum = 0;
  for (const v of g) sum += v;
  const mean = Math.trunc(sum / g.length + 0.5);
  return blend(fromGray(new Uint8Array(g.length).fill(mean), img), img, factor);
}

/** ImageFilter.SMOOTH (3×3 kernel [1 1 1; 1 5 1; 1 1 1] / 13, rounded); the one-pixel border is copied. */
export function smooth(img: Image): Image {
  const src = checkU8(img, 'smooth');
  const { height: H, width: W, channels: C } = img;
  const out = emptyLike(src, H, W, C);
  out.data.set(src);
  const k1 = Math.fround(1 / 13), k5 = Math.fround(5 / 13);
  const row = W * C;
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      for (let c = 0; c < C; c++) {
        const p = (y * W + x) * C + c; // the 3×3 neighbourhood summed row by row, left to right
        const s = src[p - row - C]! * k1 + src[p - row]! * k1 + src[p - row + C]! * k1 +
          src[p - C]! * k1 + src[p]! * k5 + src[p + C]! * k1 +
          src[p + row - C]! * k1 + src[p + row]! * k1 + src[p + row + C]! * k1;
        out.data[p] = s <= 0 ? 0 : s >= 255 ? 255 : Math.trunc(s + 0.5);
      }
    }
  }
  return out;
}

/** ImageEnhance.Sharpness: blend with the SMOOTH-filtered image. */
export const sharpness = (img: Image, factor: number): Image => blend(smooth(img), img, factor);

export type Resample = 'bilinear' | 'bicubic';

const clip = (v: number, n: number) => (v < 0 ? 0 : v >= n ? n - 1 : v);

function cubic(v1: number, v2: number, v3: number, v4: number, d: number): number {
  const p1 = v2;
  const p2 = -v1 + v3;
  const p3 = 2 * (v1 - v2) + v3 - v4;
  const p4 = -v1 + v2 - v3 + v4;
  return p1 + d * (p2 + d * (p3 + d * p4));
}

/**
 * Image.transform(size, AFFINE, (a, b, c, d, e, f), resample, fillcolor): output pixel (x, y) samples the input at
 * (a·(x+½) + b·(y+½) + c, d·(x+½) + e·(y+½) + f); samples outside the input keep the fill colour.
 */
export function affine(img: Image, m: readonly number[], resample: Resample, fill: readonly number[]): Image {
  const src = checkU8(img, 'affine');
  if (m.length !== 6 || !m.every(Number.isFinite)) throw new Error(`affine: matrix must be 6 finite numbers, got ${JSON.stringify(m)}`);
  const { height: H, width: W, channels: C } = img;
  if (fill.length < C) throw new Error(`affine: fill needs ${C} values, got ${fill.length}`);
  const out = emptyLike(src, H, W, C).data as Uint8Array;
  const clip8 = (v: number) => (v < 0 ? 0 : v >= 255 ? 255 : Math.trunc(v));
  const xo = [0, 0, 0, 0]; // pixel offsets of the columns sampled, rows below
  const ro = [0, 0, 0, 0];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * C;
      let xin = m[0]! * (x + 0.5) + m[1]! * (y + 0.5) + m[2]!;
      let yin = m[3]! * (x + 0.5) + m[4]! * (y + 0.5) + m[5]!;
      if (!(xin >= 0 && xin < W && yin >= 0 && yin < H)) {
        for (let c = 0; c < C; c++) out[o + c] = fill[c]!;
        continue;
      }
      xin -= 0.5;
      yin -= 0.5;
      const fx = Math.floor(xin);
      const fy = Math.floor(yin);
      const dx = xin - fx;
      const dy = yin - fy;
      if (resample === 'bilinear') {
        const x0 = clip(fx, W) * C, x1 = clip(fx + 1, W) * C;
        const r0 = clip(fy, H) * W * C;
        const below = fy + 1 >= 0 && fy + 1 < H;
        const r1 = (fy + 1) * W * C;
        for (let c = 0; c < C; c++) {
          const a = src[r0 + x0 + c]!;
          const v1 = a + (src[r0 + x1 + c]! - a) * dx;
          let v2 = v1;
          if (below) {
            const b = src[r1 + x0 + c]!;
            v2 = b + (src[r1 + x1 + c]! - b) * dx;
          }
          out[o + c] = clip8(v1 + (v2 - v1) * dy);
        }
      } else {
        for (let k = 0; k < 4; k++) xo[k] = clip(fx - 1 + k, W) * C;
        ro[0] = clip(fy - 1, H) * W * C;
        for (let k = 0; k < 3; k++) ro[k + 1] = fy + k >= 0 && fy + k < H ? (fy + k) * W * C : ro[k]!; // PIL repeats the last row
        for (let c = 0; c < C; c++) {
          const row = (r: number) => cubic(src[r + xo[0]! + c]!, src[r + xo[1]! + c]!, src[r + xo[2]! + c]!, src[r + xo[3]! + c]!, dx);
          out[o + c] = clip8(cubic(row(ro[0]!), row(ro[1]!), row(ro[2]!), row(ro[3]!), dy));
        }
      }
    }
  }
  return { data: out, height: H, width: W, channels: C };
}

/** Image.rotate(degrees, resample, fillcolor) about the centre, same size (PIL's matrix, rounded to 15 decimals). */
export function rotate(img: Image, degrees: number, resample: Resample, fill: readonly number[]): Image {
  const a = ((degrees % 360) + 360) % 360;
  if (a === 0) return { ...img, data: img.data.slice() };
  const r15 = (v: number) => Number(v.toFixed(15));
  const t = (-a * Math.PI) / 180;
  const m = [r15(Math.cos(t)), r15(Math.sin(t)), 0, r15(-Math.sin(t)), r15(Math.cos(t)), 0];
  const cx = img.width / 2, cy = img.height / 2;
  m[2] = m[0]! * -cx + m[1]! * -cy + cx;
  m[5] = m[3]! * -cx + m[4]! * -cy + cy;
  return affine(img, m, resample, fill);
}
