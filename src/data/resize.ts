// Image resizing that reproduces PIL's `Image.resize` (which torchvision's `F.resize` calls on PIL images):
// a separable, antialiased convolution (the filter support widens with the down-scaling factor), horizontal pass then
// vertical pass. For uint8 images the coefficients are 22-bit fixed point and each pass rounds to uint8, exactly as
// Pillow's Resample.c does (ImagingResample 8bpc), so results are bit-identical to PIL. Float32 images follow PIL's
// 32-bit float path (double accumulation, no rounding between passes). With the native addon, uint8 images are
// resized by its resizeU8 (native/src/image_ops.cc), the same algorithm in C++ and bit-identical.
import { nativeAddon } from '../kernels/native/addon.js';
import { emptyLike, type Image } from './image.js';

export type Interpolation = 'bilinear' | 'bicubic';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

interface Filter {
  support: number;
  f: (x: number) => number;
}

const FILTERS: Record<Interpolation, Filter> = {
  bilinear: {
    support: 1,
    f: (x) => {
      x = Math.abs(x);
      return x < 1 ? 1 - x : 0;
    },
  },
  bicubic: {
    support: 2,
    f: (x) => {
      const a = -0.5;
      x = Math.abs(x);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
};

interface Coeffs {
  ksize: number;
  /** per output pixel: first input index and number of taps */
  bounds: Int32Array;
  /** [outSize * ksize] normalised weights */
  kk: Float64Array;
}

// Pillow's precompute_coeffs (Resample.c), for the full input range [0, inSize).
function precompute(inSize: number, outSize: number, filter: Filter): Coeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const kk = new Float64Array(outSize * ksize);
  const bounds = new Int32Array(outSize * 2);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.f((x + xmin - center + 0.5) * ss);
      kk[xx * ksize + x] = w;
      ww += w;
    }
    if (ww !== 0) for (let x = 0; x < xmax; x++) kk[xx * ksize + x]! /= ww;
    bounds[2 * xx] = xmin;
    bounds[2 * xx + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

function toFixed(kk: Float64Array): Float64Array {
  const out = new Float64Array(kk.length);
  for (let i = 0; i < kk.length; i++) {
    const v = kk[i]!;
    out[i] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
  }
  return out;
}

function clip8(ss: number): number {
  const v = Math.floor(ss / ONE);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Horizontal pass: each output pixel is a weighted sum of `n` neighbouring input pixels of the same row. */
function passX(src: Image, outW: number, c: Coeffs): Image {
  const { height: h, width: w, channels: ch } = src;
  const dst = emptyLike(src.data, h, outW, ch);
  const fixed = src.data instanceof Uint8Array;
  const k = fixed ? toFixed(c.kk) : c.kk;
  const s = src.data;
  const d = dst.data;
  const init = fixed ? ONE / 2 : 0;
  for (let y = 0; y < h; y++) {
    const row = y * w * ch;
    for (let x = 0; x < outW; x++) {
      const min = c.bounds[2 * x]!;
      const n = c.bounds[2 * x + 1]!;
      const kb = x * c.ksize;
      const o = (y * outW + x) * ch;
      for (let cc = 0; cc < ch; cc++) {
        let acc = init;
        for (let t = 0, p = row + min * ch + cc; t < n; t++, p += ch) acc += s[p]! * k[kb + t]!;
        d[o + cc] = fixed ? clip8(acc) : acc;
      }
    }
  }
  return dst;
}

/** Vertical pass: whole input rows are accumulated into an output row (cache-friendly). */
function passY(src: Image, outH: number, c: Coeffs): Image {
  const { width: w, channels: ch } = src;
  const dst = emptyLike(src.data, outH, w, ch);
  const fixed = src.data instanceof Uint8Array;
  const k = fixed ? toFixed(c.kk) : c.kk;
  const s = src.data;
  const d = dst.data;
  const rowLen = w * ch;
  const acc = new Float64Array(rowLen);
  for (let y = 0; y < outH; y++) {
    const min = c.bounds[2 * y]!;
    const n = c.bounds[2 * y + 1]!;
    acc.fill(fixed ? ONE / 2 : 0);
    for (let t = 0; t < n; t++) {
      const wt = k[y * c.ksize + t]!;
      const base = (min + t) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += s[base + i]! * wt;
    }
    const o = y * rowLen;
    if (fixed) for (let i = 0; i < rowLen; i++) d[o + i] = clip8(acc[i]!);
    else for (let i = 0; i < rowLen; i++) d[o + i] = acc[i]!;
  }
  return dst;
}

function checkResize(outH: number, outW: number, interpolation: Interpolation): Filter {
  for (const [name, v] of [['height', outH], ['width', outW]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`resize ${name}: expected a positive integer, got ${v}`);
  }
  const filter = FILTERS[interpolation];
  if (!filter) throw new Error(`resize interpolation: expected 'bilinear' or 'bicubic', got ${String(interpolation)}`);
  return filter;
}

/**
 * The native resize of the box [top, left, height, width] (inside a uint8 image) to outH × outW, as if the box were
 * cropped first; null without the addon or for float images.
 */
export function resizeBoxNative(img: Image, box: [number, number, number, number], outH: number, outW: number, interpolation: Interpolation): Image | null {
  const a = img.data instanceof Uint8Array ? nativeAddon() : undefined;
  if (!a) return null;
  checkResize(outH, outW, interpolation);
  const out = new Uint8Array(outH * outW * img.channels);
  a.resizeU8(img.data as Uint8Array, Int32Array.of(img.height, img.width, img.channels, ...box, outH, outW), interpolation === 'bicubic' ? 1 : 0, out);
  return { data: out, height: outH, width: outW, channels: img.channels };
}

/** Resize to exactly outH × outW (PIL semantics: horizontal pass first; a pass is skipped when its size is unchanged). */
export function resizeTo(img: Image, outH: number, outW: number, interpolation: Interpolation = 'bilinear'): Image {
  const filter = checkResize(outH, outW, interpolation);
  const native = resizeBoxNative(img, [0, 0, img.height, img.width], outH, outW, interpolation);
  if (native) return native;
  let out = img;
  if (outW !== img.width) out = passX(out, outW, precompute(img.width, outW, filter));
  if (outH !== img.height) out = passY(out, outH, precompute(img.height, outH, filter));
  if (out === img) out = { ...img, data: img.data.slice() };
  return out;
}

/**
 * torchvision's output size for `Resize(size)`: an integer resizes the shorter side to `size` and the longer to
 * int(size · long / short); a pair is [height, width].
 */
export function resizedSize(height: number, width: number, size: number | [number, number]): [number, number] {
  if (Array.isArray(size)) return [size[0], size[1]];
  if (!Number.isInteger(size) || size <= 0) throw new Error(`resize size: expected a positive integer or [h, w], got ${size}`);
  const [short, long] = width <= height ? [width, height] : [height, width];
  const newLong = Math.trunc((size * long) / short);
  return width <= height ? [newLong, size] : [size, newLong];
}

/** torchvision `Resize(size, interpolation)` on a PIL image. */
export function resize(img: Image, size: number | [number, number], interpolation: Interpolation = 'bilinear'): Image {
  const [h, w] = resizedSize(img.height, img.width, size);
  if (h === img.height && w === img.width) return img;
  return resizeTo(img, h, w, interpolation);
}
