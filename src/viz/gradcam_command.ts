// `chanlab gradcam`: Grad-CAM / Grad-CAM++ of a registered model (random weights or a PyTorch checkpoint) on an
// NCHW .npy batch or a PNG/JPEG image; writes cam.npy ([N,H,W] float32 in [0,1]) or cam.png (the overlays in a row).
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../backend/index.js';
import { buildModel, type CommandReport } from '../checkpoint/commands.js';
import { countNonFinite, nonFiniteLines, nonFiniteRows } from '../core/finite.js';
import { disposingAfter } from '../core/memory.js';
import { writeFileAtomic } from '../core/fs.js';
import type { Image } from '../data/image.js';
import { decodeImage } from '../data/decode.js';
import { encodePng } from '../data/png.js';
import { FASHION_MNIST_MEAN, FASHION_MNIST_STD, IMAGENET_MEAN, IMAGENET_STD } from '../data/presets.js';
import { resizeTo } from '../data/resize.js';
import { readNpy, writeNpy } from '../interop/npy.js';
import { TorchTensor } from '../interop/tensor.js';
import { createModel, getModelEntry, type ModelConfig } from '../zoo/index.js';
import type { Module } from '../nn/module.js';
import type { ColormapName } from './colormap.js';
import { gradCam, type CamMethod } from './gradcam.js';
import { inputChannels } from './layers.js';
import { displayImage, hstack, overlayCam } from './overlay.js';

export interface GradcamCommandOptions {
  model: string;
  checkpoint?: string;
  /** .npy (NCHW float) or an image file (.png/.jpg). */
  input: string;
  layer: string;
  /** Class index for every image; default: each image's predicted class. */
  classIndex?: number;
  /** .npy → cams [N,H,W]; .png → overlays side by side. */
  output: string;
  method?: CamMethod;
  alpha?: number;
  colormap?: ColormapName;
  /** Side length an image input is resized to (default: the model's input size). */
  size?: number;
  backend?: string;
  key?: string;
  config?: Partial<ModelConfig>;
}

interface Batch {
  /** NCHW float32 */
  data: Float32Array;
  shape: [number, number, number, number];
  /** What to draw the maps on (HWC, per image). */
  display: Image[];
}

export async function gradcamCommand(o: GradcamCommandOptions): Promise<CommandReport> {
  const outExt = extname(o.output).toLowerCase();
  if (outExt !== '.npy' && outExt !== '.png') throw new Error(`output: expected a .npy or .png path, got '${o.output}'`);
  const backend = await useBackend(o.backend);
  const model: Module = o.checkpoint
    ? buildModel({ model: o.model, checkpoint: o.checkpoint, key: o.key, config: o.config })
    : createModel(o.model, o.config ?? {});
  return disposingAfter(model, async () => {
    model.eval();
    const batch = readInput(o, model);
    const [n, c, h, w] = batch.shape;
    const x = tf.tidy(() => tf.transpose(tf.tensor4d(batch.data, batch.shape), [0, 2, 3, 1])) as tf.Tensor4D;
    const r = (() => {
      try {
        return gradCam(model, x, { layer: o.layer, method: o.method, target: o.classIndex });
      } finally {
        x.dispose();
      }
    })();
    const cams = r.cams.dataSync() as Float32Array;
    tf.dispose([r.cams, r.logits]);
    // a sample whose input holds NaN/Inf has no class and no map: NaN on every backend (as predict's logits)
    const bad = nonFiniteRows(batch.data, n, c * h * w);
    const classes = r.classes.map((cls, i) => (countNonFinite(batch.data.subarray(i * c * h * w, (i + 1) * c * h * w)) > 0 ? null : cls));
    classes.forEach((cls, i) => (cls === null ? cams.fill(NaN, i * h * w, (i + 1) * h * w) : undefined));
    const findings = nonFiniteLines({
      inputs: bad, outputs: nonFiniteRows(cams, n, h * w), samples: n, outputName: 'CAMs (and no class)',
    });
    if (outExt === '.npy') writeNpy(o.output, new TorchTensor('float32', [n, h, w], cams));
    else {
      // an image without a map is drawn bare (a NaN map has no colours)
      const overlays = batch.display.map((img, i) => overlayCam(img, cams.subarray(i * h * w, (i + 1) * h * w).map((v) => (Number.isFinite(v) ? v : 0)),
        { alpha: classes[i] === null ? 0 : o.alpha, colormap: o.colormap }));
      writeFileAtomic(o.output, encodePng(hstack(overlays)));
    }
    const weights = o.checkpoint ? `weights ${o.checkpoint}` : 'random weights (no --checkpoint)';
    const text = `gradcam: ${o.model} (${weights}) on ${backend}, ${o.method ?? 'gradcam'} at '${o.layer}', ` +
      `${n} input(s) [${c}×${h}×${w}], classes [${classes.map((x) => x ?? '—').join(', ')}] → ${o.output}`;
    return { text: [text, ...findings].join('\n'), nonFinite: findings.length > 0 };
  });
}

function readInput(o: GradcamCommandOptions, model: Module): Batch {
  if (!existsSync(o.input)) throw new Error(`input: file not found: ${o.input}`);
  const ext = extname(o.input).toLowerCase();
  if (ext === '.npy') {
    const t = readNpy(o.input);
    if (t.shape.length !== 4) throw new Error(`input: expected an NCHW (4-D) array, got shape [${t.shape.join(', ')}] in ${o.input}`);
    if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) throw new Error(`input: expected a float array, got ${t.dtype} in ${o.input}`);
    const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
    const [n, c, h, w] = t.shape as [number, number, number, number];
    const display = Array.from({ length: n }, (_, i) => displayImage(data.subarray(i * c * h * w, (i + 1) * c * h * w), c, h, w));
    return { data, shape: [n, c, h, w], display };
  }
  if (ext !== '.png' && ext !== '.jpg' && ext !== '.jpeg') throw new Error(`input: expected a .npy, .png or .jpg file, got '${o.input}'`);
  const channels = inputChannels(model) ?? 3;
  if (channels !== 1 && channels !== 3) throw new Error(`input: an image input needs a model with 1 or 3 input channels, this one takes ${channels}`);
  const size = o.size ?? getModelEntry(o.model).defaultInputSize;
  const img = resizeTo(decodeImage(readFileSync(o.input), o.input), size, size);
  const [mean, std] = channels === 3 ? [IMAGENET_MEAN, IMAGENET_STD] : [FASHION_MNIST_MEAN, FASHION_MNIST_STD];
  const data = new Float32Array(channels * size * size);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < size * size; p++) data[c * size * size + p] = (img.data[p * 3 + c]! / 255 - mean[c]!) / std[c]!;
  }
  return { data, shape: [1, channels, size, size], display: [img] };
}
