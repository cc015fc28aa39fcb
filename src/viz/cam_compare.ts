// Grad-CAM of several models on the same images, side by side (supplement Figure 5: baseline vs PiX): a Plotly
// grid (rows = images, columns = input + one per model) of PNG overlays.
import * as tf from '@tensorflow/tfjs-core';
import { encodePng } from '../data/png.js';
import type { Module } from '../nn/module.js';
import type { ColormapName } from './colormap.js';
import { gradCam, type CamMethod, type CamTarget } from './gradcam.js';
import { displayImage, overlayCam } from './overlay.js';
import { camGrid } from './plot/cam_grid.js';
import type { Figure } from './plot/figure.js';

export interface CamModel {
  label: string;
  model: Module;
  /** Target layer path in this model. */
  layer: string;
}

export interface CamCompareOptions {
  /** Default: each model's predicted class per image (pass the true labels to explain those). */
  target?: CamTarget;
  method?: CamMethod;
  /** Row titles (e.g. class names). */
  rowLabels?: readonly string[];
  alpha?: number;
  colormap?: ColormapName;
  /** Upscale factor of the images in the grid (nearest neighbour; default 4, for 28×28 inputs). */
  zoom?: number;
  title?: string;
}

/** x: NHWC batch [N,H,W,C] as the models take it. */
export function camComparison(models: readonly CamModel[], x: tf.Tensor4D, o: CamCompareOptions = {}): Figure {
  if (models.length === 0) throw new Error('models: expected at least one model');
  const [n, h, w, c] = x.shape;
  const zoom = o.zoom ?? 4;
  const nchw = tf.tidy(() => tf.transpose(x, [0, 3, 1, 2]).dataSync() as Float32Array);
  const inputs = Array.from({ length: n }, (_, i) => displayImage(nchw.subarray(i * c * h * w, (i + 1) * c * h * w), c, h, w));
  const cams = models.map((m) => {
    const r = gradCam(m.model, x, { layer: m.layer, target: o.target, method: o.method });
    const data = r.cams.dataSync() as Float32Array;
    tf.dispose([r.cams, r.logits]);
    return data;
  });
  const rows = inputs.map((img, i) => ({
    label: o.rowLabels?.[i] ?? `image ${i}`,
    images: [
      encodePng(upscale(overlayCam(img, new Float32Array(h * w), { alpha: 0 }), zoom)),
      ...cams.map((cam) => encodePng(upscale(overlayCam(img, cam.subarray(i * h * w, (i + 1) * h * w), { alpha: o.alpha, colormap: o.colormap }), zoom))),
    ],
  }));
  return camGrid(['input', ...models.map((m) => m.label)], rows, o.title ?? `Grad-CAM (${o.method ?? 'gradcam'}): ${models.map((m) => m.label).join(' vs ')}`);
}

function upscale(img: { data: Uint8Array | Float32Array; height: number; width: number; channels: number }, k: number) {
  if (!Number.isInteger(k) || k < 1) throw new Error(`zoom: expected a positive integer, got ${k}`);
  const { height, width, channels } = img;
  const out = new Uint8Array(height * k * width * k * channels);
  for (let y = 0; y < height * k; y++) {
    for (let x = 0; x < width * k; x++) {
      for (let ch = 0; ch < channels; ch++) out[(y * width * k + x) * channels + ch] = img.data[(Math.floor(y / k) * width + Math.floor(x / k)) * channels + ch]!;
    }
  }
  return { data: out, height: height * k, width: width * k, channels };
}
