// timm's RandAugment (`rand-m7-mstd0.5-inc1` for the PiX LAMB recipe): per image, `n` ops drawn uniformly with
// replacement from the (increasing) op list; each applies with probability 0.5 at magnitude ~ N(m, mstd) clipped to
// [0, 10], mapped to the op's argument by timm's level functions (several negated with probability 0.5).
// Operates on uint8 images before normalisation; the ops themselves are Pillow-exact (pil_ops.ts).
import type { Image } from './image.js';
import {
  affine, autoContrast, brightness, color, contrast, equalize, invert, posterize, rotate, sharpness, solarize, solarizeAdd, type Resample,
} from './pil_ops.js';
import type { RandomSource } from './rng_source.js';

export interface RandAugmentConfig {
  /** Ops per image (timm `n`, default 2). */
  numLayers: number;
  /** Magnitude on timm's 0–10 scale (`m`). */
  magnitude: number;
  /** Std of the magnitude noise (`mstd`); 0 = fixed magnitude, Infinity = uniform in [0, m]. */
  magnitudeStd: number;
  /** Upper clip of the magnitude (`mmax`, default 10). */
  magnitudeMax: number;
  /** The "increasing" op variants (`inc1`): every op grows stronger with the magnitude. */
  increasing: boolean;
}

export interface RandAugmentOptions {
  /** Fill of the geometric ops: timm uses the dataset mean × 255, rounded (ImageNet: 124, 116, 104). */
  fill?: readonly number[];
  /** Resampling of the geometric ops: one filter, or 'random' (bilinear or bicubic per op, timm's default). */
  resample?: Resample | 'random';
  /** Probability of each chosen op (timm 0.5). */
  prob?: number;
}

const LEVEL_DENOM = 10;

/** Parses a timm RandAugment string such as 'rand-m7-mstd0.5-inc1' (sections m, n, mstd, mmax, inc; `w` unsupported). */
export function parseRandAugment(spec: string): RandAugmentConfig {
  const parts = spec.split('-');
  if (parts[0] !== 'rand') throw new Error(`randAugment: expected a string starting with 'rand-' (e.g. rand-m7-mstd0.5-inc1), got '${spec}'`);
  const c: RandAugmentConfig = { numLayers: 2, magnitude: 10, magnitudeStd: 0, magnitudeMax: LEVEL_DENOM, increasing: false };
  for (const p of parts.slice(1)) {
    const m = /^([a-z]+)(\d.*)$/.exec(p);
    if (!m) throw new Error(`randAugment: cannot read section '${p}' of '${spec}' (expected m<int>, n<int>, mstd<float>, mmax<int>, inc<0|1>)`);
    const [, key, val] = m as unknown as [string, string, string];
    const num = Number(val);
    if (!Number.isFinite(num)) throw new Error(`randAugment: section '${p}' of '${spec}' needs a number`);
    if (key === 'm') c.magnitude = Math.trunc(num);
    else if (key === 'n') c.numLayers = Math.trunc(num);
    else if (key === 'mstd') c.magnitudeStd = num > 100 ? Infinity : num;
    else if (key === 'mmax') c.magnitudeMax = Math.trunc(num);
    else if (key === 'inc') c.increasing = num !== 0;
    else throw new Error(`randAugment: unknown section '${key}' in '${spec}' (known: m, n, mstd, mmax, inc)`);
  }
  return c;
}

type OpFn = (img: Image, level: number, rng: RandomSource, o: Required<RandAugmentOptions>) => Image;

const negate = (v: number, rng: RandomSource) => (rng.random() > 0.5 ? -v : v);
const enhanceLevel = (level: number, increasing: boolean, rng: RandomSource) =>
  increasing ? Math.max(0.1, 1 + negate((level / LEVEL_DENOM) * 0.9, rng)) : (level / LEVEL_DENOM) * 1.8 + 0.1;
const pickResample = (o: Required<RandAugmentOptions>, rng: RandomSource): Resample =>
  o.resample === 'random' ? (rng.randint(2) === 0 ? 'bilinear' : 'bicubic') : o.resample;

function ops(increasing: boolean): Array<[string, OpFn]> {
  const enhance = (f: (img: Image, factor: number) => Image): OpFn => (img, l, rng) => f(img, enhanceLevel(l, increasing, rng));
  const geo = (matrix: (img: Image, l: number, rng: RandomSource) => number[]): OpFn => (img, l, rng, o) => {
    const m = matrix(img, l, rng);
    return affine(img, m, pickResample(o, rng), o.fill);
  };
  const post = (l: number) => Math.trunc((l / LEVEL_DENOM) * 4);
  const sol = (l: number) => Math.trunc((l / LEVEL_DENOM) * 256);
  const x = increasing ? 'Increasing' : '';
  return [
    ['AutoContrast', (img) => autoContrast(img)],
    ['Equalize', (img) => equalize(img)],
    ['Invert', (img) => invert(img)],
    ['Rotate', (img, l, rng, o) => {
      const deg = negate((l / LEVEL_DENOM) * 30, rng);
      return rotate(img, deg, pickResample(o, rng), o.fill);
    }],
    [`Posterize${x}`, (img, l) => posterize(img, increasing ? 4 - post(l) : post(l))],
    [`Solarize${x}`, (img, l) => solarize(img, increasing ? 256 - sol(l) : sol(l))],
    ['SolarizeAdd', (img, l) => solarizeAdd(img, Math.trunc((l / LEVEL_DENOM) * 110))],
    [`Color${x}`, enhance(color)],
    [`Contrast${x}`, enhance(contrast)],
    [`Brightness${x}`, enhance(brightness)],
    [`Sharpness${x}`, enhance(sharpness)],
    ['ShearX', geo((_i, l, rng) => [1, negate((l / LEVEL_DENOM) * 0.3, rng), 0, 0, 1, 0])],
    ['ShearY', geo((_i, l, rng) => [1, 0, 0, negate((l / LEVEL_DENOM) * 0.3, rng), 1, 0])],
    ['TranslateXRel', geo((img, l, rng) => [1, 0, negate((l / LEVEL_DENOM) * 0.45, rng) * img.width, 0, 1, 0])],
    ['TranslateYRel', geo((img, l, rng) => [1, 0, 0, 0, 1, negate((l / LEVEL_DENOM) * 0.45, rng) * img.height])],
  ];
}

/** The names of the ops a config draws from, in timm's order. */
export function randAugmentOpNames(c: RandAugmentConfig): string[] {
  return ops(c.increasing).map(([n]) => n);
}

/** A RandAugment transform for uint8 images: `(img, rng) => img`. */
export function randAugment(spec: string | RandAugmentConfig, options: RandAugmentOptions = {}): (img: Image, rng: RandomSource) => Image {
  const c = typeof spec === 'string' ? parseRandAugment(spec) : spec;
  if (!Number.isInteger(c.numLayers) || c.numLayers < 0) throw new Error(`randAugment: numLayers must be an integer ≥ 0, got ${c.numLayers}`);
  const o: Required<RandAugmentOptions> = { fill: options.fill ?? [128, 128, 128], resample: options.resample ?? 'random', prob: options.prob ?? 0.5 };
  const list = ops(c.increasing);
  return (img, rng) => {
    let out = img;
    const chosen = Array.from({ length: c.numLayers }, () => list[rng.randint(list.length)]!);
    for (const [, fn] of chosen) {
      if (o.prob < 1 && rng.random() > o.prob) continue;
      let m = c.magnitude;
      if (c.magnitudeStd === Infinity) m = rng.uniform(0, m);
      else if (c.magnitudeStd > 0) m = rng.normal(m, c.magnitudeStd);
      m = Math.max(0, Math.min(m, c.magnitudeMax));
      out = fn(out, m, rng, o);
    }
    return out;
  };
}
