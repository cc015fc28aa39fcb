// timm's RandomErasing (mode 'pixel', one box): with probability p, up to 10 attempts to place a box of area
// U(0.02, 1/3)·H·W and aspect exp(U(log 0.3, log 1/0.3)); the first that fits is filled with N(0, 1) noise per pixel
// and channel. Applied after normalisation (float32 HWC images).
import { pyRound, type Image } from './image.js';
import type { RandomSource } from './rng_source.js';

export interface RandomErasingOptions {
  /** Probability of erasing (PiX README recipe: 0.25). */
  p: number;
  minArea?: number;
  maxArea?: number;
  minAspect?: number;
  maxAspect?: number;
}

/** The box [top, left, h, w] a RandomErasing draw picks, or null (not applied, or no attempt fitted). */
export function randomErasingBox(height: number, width: number, rng: RandomSource, o: RandomErasingOptions): [number, number, number, number] | null {
  if (!(o.p >= 0 && o.p <= 1)) throw new Error(`randomErasing: p must be in [0, 1], got ${o.p}`);
  if (rng.random() > o.p) return null;
  const minArea = o.minArea ?? 0.02, maxArea = o.maxArea ?? 1 / 3;
  const minAspect = o.minAspect ?? 0.3, maxAspect = o.maxAspect ?? 1 / minAspect;
  const area = height * width;
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = rng.uniform(minArea, maxArea) * area;
    const aspect = Math.exp(rng.uniform(Math.log(minAspect), Math.log(maxAspect)));
    const h = pyRound(Math.sqrt(target * aspect));
    const w = pyRound(Math.sqrt(target / aspect));
    if (w < width && h < height) {
      const top = rng.randint(height - h + 1);
      const left = rng.randint(width - w + 1);
      return [top, left, h, w];
    }
  }
  return null;
}

/** Erases one box of a float32 image with per-pixel N(0, 1) values (a new image; the input is not modified). */
export function randomErasing(img: Image, rng: RandomSource, o: RandomErasingOptions): Image {
  if (!(img.data instanceof Float32Array)) throw new Error('randomErasing: expected a float32 (normalised) image');
  const box = randomErasingBox(img.height, img.width, rng, o);
  if (!box) return img;
  const [top, left, h, w] = box;
  const data = img.data.slice();
  const C = img.channels;
  for (let y = top; y < top + h; y++) {
    for (let x = left; x < left + w; x++) {
      for (let c = 0; c < C; c++) data[(y * img.width + x) * C + c] = rng.normal();
    }
  }
  return { ...img, data };
}
