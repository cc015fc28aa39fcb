// CAM overlays: a heat map in [0,1] drawn with a colormap over the input image, blended with weight alpha, as RGB
// images ready for encodePng.
import type { Image } from '../data/image.js';
import { colormapTable, type ColormapName } from './colormap.js';

export interface OverlayOptions {
  /** Weight of the heat map (default 0.5): out = (1-α)·image + α·colormap(cam). */
  alpha?: number;
  colormap?: ColormapName;
}

/** The heat map alone as an RGB uint8 image; cam: [H·W] row-major in [0,1]. */
export function heatmapImage(cam: ArrayLike<number>, height: number, width: number, colormap: ColormapName = 'turbo'): Image {
  if (cam.length !== height * width) throw new Error(`cam: expected ${height}×${width} = ${height * width} values, got ${cam.length}`);
  const lut = colormapTable(colormap);
  const out = new Uint8Array(height * width * 3);
  for (let i = 0; i < height * width; i++) {
    const v = cam[i]!;
    if (!Number.isFinite(v)) throw new Error(`cam: value ${v} at pixel ${i} is not finite`);
    const k = 3 * Math.round(255 * Math.min(1, Math.max(0, v)));
    out[3 * i] = lut[k]!;
    out[3 * i + 1] = lut[k + 1]!;
    out[3 * i + 2] = lut[k + 2]!;
  }
  return { data: out, height, width, channels: 3 };
}

/** Blends colormap(cam) over `image` (HWC, 1 or 3 channels, uint8 0..255 or float 0..1) of the same H×W. */
export function overlayCam(image: Image, cam: ArrayLike<number>, opts: OverlayOptions = {}): Image {
  const alpha = opts.alpha ?? 0.5;
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`alpha: expected a number in [0, 1], got ${alpha}`);
  if (image.channels !== 1 && image.channels !== 3) throw new Error(`image: expected 1 or 3 channels, got ${image.channels}`);
  const { height, width } = image;
  const heat = heatmapImage(cam, height, width, opts.colormap);
  const scale = image.data instanceof Uint8Array ? 1 : 255;
  const out = new Uint8Array(height * width * 3);
  for (let i = 0; i < height * width; i++) {
    for (let c = 0; c < 3; c++) {
      const px = image.data[i * image.channels + (image.channels === 3 ? c : 0)]! * scale;
      out[3 * i + c] = Math.round((1 - alpha) * Math.min(255, Math.max(0, px)) + alpha * heat.data[3 * i + c]!);
    }
  }
  return { data: out, height, width, channels: 3 };
}

/** An NCHW float image (e.g. a normalised network input) rescaled per image to [0,1] for display, as HWC. */
export function displayImage(chw: Float32Array, channels: number, height: number, width: number): Image {
  if (chw.length !== channels * height * width) throw new Error(`image: expected ${channels}×${height}×${width} values, got ${chw.length}`);
  let lo = Infinity, hi = -Infinity;
  for (const v of chw) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi - lo > 0 ? hi - lo : 1;
  const out = new Float32Array(channels * height * width);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < height * width; p++) out[p * channels + c] = (chw[c * height * width + p]! - lo) / span;
  }
  return { data: out, height, width, channels };
}

/** Places images (same height, 3 channels) side by side with `gap` white pixels between them. */
export function hstack(images: readonly Image[], gap = 4): Image {
  if (images.length === 0) throw new Error('images: expected at least one image');
  const height = images[0]!.height;
  for (const im of images) {
    if (im.height !== height || im.channels !== 3 || !(im.data instanceof Uint8Array)) throw new Error(`images: expected uint8 RGB images of height ${height}`);
  }
  const width = images.reduce((s, im) => s + im.width, 0) + gap * (images.length - 1);
  const out = new Uint8Array(height * width * 3).fill(255);
  let x0 = 0;
  for (const im of images) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < im.width * 3; x++) out[(y * width + x0) * 3 + x] = im.data[y * im.width * 3 + x]!;
    }
    x0 += im.width + gap;
  }
  return { data: out, height, width, channels: 3 };
}
