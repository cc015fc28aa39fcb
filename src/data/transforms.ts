// Single-image transforms with torchvision 0.14 semantics (on PIL-like uint8 HWC images, or float32 HWC).
// Random transforms take a RandomSource (`Rng` from src/core/rng.ts) and draw in the same order torchvision does.
import { nativeAddon } from '../kernels/native/addon.js';
import { emptyLike, pyRound, type Image } from './image.js';
import { resizeBoxNative, resizeTo, type Interpolation } from './resize.js';
import type { RandomSource } from './rng_source.js';

export interface Box {
  top: number;
  left: number;
  height: number;
  width: number;
}

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name}: expected a positive integer, got ${v}`);
}

/** Crop a box; parts of the box outside the image are zero-filled (PIL's crop behaviour). */
export function crop(img: Image, box: Box): Image {
  positiveInt('crop height', box.height);
  positiveInt('crop width', box.width);
  const { height: h, width: w, channels: c } = img;
  const out = emptyLike(img.data, box.height, box.width, c);
  const x0 = Math.max(0, -box.left);
  const x1 = Math.min(box.width, w - box.left);
  if (x1 <= x0) return out;
  for (let y = 0; y < box.height; y++) {
    const sy = box.top + y;
    if (sy < 0 || sy >= h) continue;
    const s = (sy * w + box.left + x0) * c;
    out.data.set(img.data.subarray(s, s + (x1 - x0) * c), (y * box.width + x0) * c);
  }
  return out;
}

/** Zero padding on all four sides (torchvision Pad(padding, fill=0)). */
export function pad(img: Image, padding: number | [number, number, number, number]): Image {
  const [l, t, r, b] = typeof padding === 'number' ? [padding, padding, padding, padding] : padding;
  for (const v of [l, t, r, b]) if (!Number.isInteger(v) || v < 0) throw new Error(`pad padding: expected non-negative integers, got ${v}`);
  return crop(img, { top: -t, left: -l, height: img.height + t + b, width: img.width + l + r });
}

export function hflip(img: Image): Image {
  const { height: h, width: w, channels: c } = img;
  const out = emptyLike(img.data, h, w, c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * c;
      const d = (y * w + (w - 1 - x)) * c;
      for (let k = 0; k < c; k++) out.data[d + k] = img.data[s + k]!;
    }
  }
  return out;
}

/** RandomHorizontalFlip(p): one draw, flip when it is < p. */
export function randomHorizontalFlip(img: Image, rng: RandomSource, p = 0.5): Image {
  return rng.random() < p ? hflip(img) : img;
}

/** The box torchvision's CenterCrop takes (after zero padding when the crop is larger than the image). */
export function centerCropBox(height: number, width: number, th: number, tw: number): Box {
  return { top: pyRound((height - th) / 2), left: pyRound((width - tw) / 2), height: th, width: tw };
}

/** torchvision CenterCrop(size): zero-pads (left/top get the floor half) when the image is smaller, then crops. */
export function centerCrop(img: Image, size: number | [number, number]): Image {
  const [th, tw] = typeof size === 'number' ? [size, size] : size;
  positiveInt('centerCrop height', th);
  positiveInt('centerCrop width', tw);
  let src = img;
  if (th > img.height || tw > img.width) {
    const dw = Math.max(tw - img.width, 0);
    const dh = Math.max(th - img.height, 0);
    src = pad(img, [dw >> 1, dh >> 1, (dw + 1) >> 1, (dh + 1) >> 1]);
    if (src.height === th && src.width === tw) return src;
  }
  return crop(src, centerCropBox(src.height, src.width, th, tw));
}

/** RandomCrop(size, padding): zero-pad, then a uniformly placed crop (torchvision draws top, then left). */
export function randomCrop(img: Image, size: number | [number, number], rng: RandomSource, padding = 0): Image {
  const [th, tw] = typeof size === 'number' ? [size, size] : size;
  const src = padding > 0 ? pad(img, padding) : img;
  if (src.height < th || src.width < tw) {
    throw new Error(`randomCrop size: [${th}, ${tw}] is larger than the (padded) image [${src.height}, ${src.width}]`);
  }
  if (src.height === th && src.width === tw) return src === img ? crop(img, { top: 0, left: 0, height: th, width: tw }) : src;
  const top = rng.randint(src.height - th + 1);
  const left = rng.randint(src.width - tw + 1);
  return crop(src, { top, left, height: th, width: tw });
}

/**
 * torchvision RandomResizedCrop.get_params: up to 10 attempts of (scale, log-uniform aspect ratio), accepted when the
 * box fits; otherwise the fallback central crop clamped to the ratio range. Draw order per attempt: scale, log-ratio,
 * then (on success) top, left. Float32 rounding of torch's draws is mimicked with Math.fround.
 */
export function randomResizedCropBox(
  height: number,
  width: number,
  rng: RandomSource,
  scale: [number, number] = [0.08, 1],
  ratio: [number, number] = [3 / 4, 4 / 3],
): Box {
  if (!(scale[0] <= scale[1]) || !(ratio[0] <= ratio[1])) {
    throw new Error(`randomResizedCrop scale/ratio: expected (min, max) pairs, got scale ${scale}, ratio ${ratio}`);
  }
  const area = height * width;
  const logLo = Math.fround(Math.log(ratio[0]));
  const logHi = Math.fround(Math.log(ratio[1]));
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * Math.fround(rng.uniform(scale[0], scale[1]));
    const aspect = Math.fround(Math.exp(Math.fround(rng.uniform(logLo, logHi))));
    const w = pyRound(Math.sqrt(targetArea * aspect));
    const h = pyRound(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.randint(height - h + 1);
      const left = rng.randint(width - w + 1);
      return { top, left, height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w: number;
  let h: number;
  if (inRatio < Math.min(...ratio)) {
    w = width;
    h = pyRound(w / Math.min(...ratio));
  } else if (inRatio > Math.max(...ratio)) {
    h = height;
    w = pyRound(h * Math.max(...ratio));
  } else {
    w = width;
    h = height;
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

export interface RandomResizedCropOptions {
  scale?: [number, number];
  ratio?: [number, number];
  interpolation?: Interpolation;
}

/** torchvision's resized_crop: crop the box, then resize it to th × tw (natively without the copy where it can). */
export function resizedCrop(img: Image, box: Box, th: number, tw: number, interpolation: Interpolation = 'bilinear'): Image {
  const inside = box.top >= 0 && box.left >= 0 && box.top + box.height <= img.height && box.left + box.width <= img.width;
  const native = inside ? resizeBoxNative(img, [box.top, box.left, box.height, box.width], th, tw, interpolation) : null;
  return native ?? resizeTo(crop(img, box), th, tw, interpolation);
}

/** RandomResizedCrop(size): crop the sampled box, then resize it to size × size (PIL-exact for uint8). */
export function randomResizedCrop(img: Image, size: number | [number, number], rng: RandomSource, opts: RandomResizedCropOptions = {}): Image {
  const [th, tw] = typeof size === 'number' ? [size, size] : size;
  const box = randomResizedCropBox(img.height, img.width, rng, opts.scale, opts.ratio);
  return resizedCrop(img, box, th, tw, opts.interpolation ?? 'bilinear');
}

/** ToTensor's scaling: uint8 → float32 / 255 (float input is returned as is). */
export function toFloat(img: Image): Image {
  if (img.data instanceof Float32Array) return img;
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i]! / 255;
  return { data: out, height: img.height, width: img.width, channels: img.channels };
}

/** Normalize(mean, std) per channel, in float32 arithmetic like torch: (x − mean) / std. Uint8 input is scaled /255 first. */
export function normalize(img: Image, mean: readonly number[], std: readonly number[]): Image {
  const c = img.channels;
  if (mean.length !== c || std.length !== c) {
    throw new Error(`normalize mean/std: expected ${c} values each (one per channel), got ${mean.length} and ${std.length}`);
  }
  if (std.some((s) => s === 0)) throw new Error('normalize std: expected non-zero values');
  const addon = img.data instanceof Uint8Array ? nativeAddon() : undefined;
  if (addon) {
    const out = new Float32Array(img.data.length);
    addon.normalizeU8(img.data as Uint8Array, Float32Array.from(mean), Float32Array.from(std), out);
    return { data: out, height: img.height, width: img.width, channels: c };
  }
  const src = toFloat(img).data;
  const out = new Float32Array(src.length);
  const m = mean.map((v) => Math.fround(v));
  const s = std.map((v) => Math.fround(v));
  for (let i = 0; i < out.length; i++) {
    const k = i % c;
    out[i] = Math.fround(src[i]! - m[k]!) / s[k]!;
  }
  return { data: out, height: img.height, width: img.width, channels: c };
}

