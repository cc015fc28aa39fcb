// Grad-CAM (Selvaraju et al., ICCV'17) and Grad-CAM++ (Chattopadhay et al., WACV'18) for any chanlab Module and any
// target layer given by module path. Activations are NHWC: A [N,h,w,K], gradients dS/dA [N,h,w,K].
//   Grad-CAM:   α_k = mean_ij dS/dA_ijk,                         L = ReLU(Σ_k α_k A_k)
//   Grad-CAM++: a_ijk = g² / (2g² + Σ_ab A_abk · g³)  (0 where g = 0),  w_k = Σ_ij a_ijk ReLU(g_ijk),  L = ReLU(Σ_k w_k A_k)
// (the closed form for an exponential score exp(S): its positive factor exp(S) cancels in the normalisation).
// Maps are upsampled to the input resolution (bilinear, half-pixel centres = PyTorch align_corners=False), then
// min-max normalised per image to [0, 1]: (L - min) / (max - min + 1e-7).
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module.js';
import { findLayer, inputChannels } from './layers.js';

export type CamMethod = 'gradcam' | 'gradcam++';
/** A class index for every image, one index per image, or a function of the logits [N,K] giving scores [N]. */
export type CamTarget = number | readonly number[] | ((logits: tf.Tensor2D) => tf.Tensor1D);

export interface CamOptions {
  /** Module path of the target layer, e.g. 'layer4' or 'layer4.1.conv2'. */
  layer: string;
  /** Default: each image's predicted (arg-max) class. */
  target?: CamTarget;
  method?: CamMethod;
  /** Upsample to the input's H×W (default true); false keeps the layer's h×w. */
  upsample?: boolean;
}

export interface CamResult {
  /** [N,H,W] in [0,1] (at the input resolution unless upsample is false). */
  cams: tf.Tensor3D;
  /** [N,K] logits of the forward pass. */
  logits: tf.Tensor2D;
  /** The class each map explains (−1 where the target was a function). */
  classes: number[];
}

const EPS = 1e-7;

/** Runs Grad-CAM / Grad-CAM++ on an NHWC batch x [N,H,W,C]. The model should be in eval mode. */
export function gradCam(model: Module, x: tf.Tensor4D, opts: CamOptions): CamResult {
  const method = opts.method ?? 'gradcam';
  if (method !== 'gradcam' && method !== 'gradcam++') throw new Error(`method: expected 'gradcam' or 'gradcam++', got '${String(method)}'`);
  checkInput(model, x);
  const layer = findLayer(model, opts.layer);
  const [n, H, W] = x.shape;
  // Probe one image for the layer's activation shape (the hook below adds a zero "delta" of that shape, so that
  // dS/dA = dS/d(delta)).
  const probe = tf.slice(x, [0, 0, 0, 0], [1, H, W, x.shape[3]]);
  const actShape = activationShape(model, layer, opts.layer, probe);
  probe.dispose();
  let activation: tf.Tensor | null = null;
  let logits: tf.Tensor2D | null = null;
  let classes: number[] = [];
  const remove = layer.registerForwardHook((_m, _in, out) => {
    activation = tf.keep(out);
  });
  const delta = tf.zeros([n, ...actShape.slice(1)]);
  try {
    const { value, grads } = tf.valueAndGrads((d: tf.Tensor) => {
      const removeAdd = layer.registerForwardHook((_m, _in, out) => tf.add(out, d));
      try {
        const out = model.call(x);
        if (out.rank !== 2) throw new Error(`gradCam: the model's output must be logits [N, classes], got [${out.shape.join(',')}]`);
        logits = tf.keep(out as tf.Tensor2D);
        const picked = scores(out as tf.Tensor2D, opts.target);
        classes = picked.classes;
        return tf.sum(picked.scores) as tf.Scalar;
      } finally {
        removeAdd();
      }
    })([delta]);
    value.dispose();
    const g = grads[0]!;
    const A = activation as tf.Tensor | null;
    if (!A) throw new Error(`gradCam: layer '${opts.layer}' did not run in the forward pass`);
    const cams = tf.tidy(() => {
      const maps = camMaps(A as tf.Tensor4D, g as tf.Tensor4D, method);
      const sized = opts.upsample === false ? maps : tf.image.resizeBilinear(maps, [H, W], false, true);
      return normalise(tf.squeeze(sized, [3]) as tf.Tensor3D);
    });
    g.dispose();
    return { cams, logits: logits!, classes };
  } finally {
    remove();
    delta.dispose();
    (activation as tf.Tensor | null)?.dispose();
  }
}

/** The raw class-activation maps [N,h,w,1] (before upsampling and normalisation). */
export function camMaps(A: tf.Tensor4D, g: tf.Tensor4D, method: CamMethod): tf.Tensor4D {
  return tf.tidy(() => {
    let weights: tf.Tensor; // [N,1,1,K]
    if (method === 'gradcam') {
      weights = tf.mean(g, [1, 2], true);
    } else {
      const g2 = tf.square(g);
      const g3 = tf.mul(g2, g);
      const sumA = tf.sum(A, [1, 2], true);
      const denom = tf.add(tf.mul(2, g2), tf.mul(sumA, g3));
      const safe = tf.where(tf.notEqual(denom, 0), denom, tf.onesLike(denom));
      const alpha = tf.where(tf.notEqual(g, 0), tf.div(g2, safe), tf.zerosLike(g));
      weights = tf.sum(tf.mul(alpha, tf.relu(g)), [1, 2], true);
    }
    return tf.relu(tf.sum(tf.mul(weights, A), 3, true)) as tf.Tensor4D;
  });
}

/** Per-image min-max normalisation of [N,H,W] maps to [0,1]. */
export function normalise(maps: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const lo = tf.min(maps, [1, 2], true);
    const hi = tf.max(maps, [1, 2], true);
    return tf.div(tf.sub(maps, lo), tf.add(tf.sub(hi, lo), EPS)) as tf.Tensor3D;
  });
}

function scores(logits: tf.Tensor2D, target: CamTarget | undefined): { scores: tf.Tensor1D; classes: number[] } {
  const [n, k] = logits.shape;
  if (typeof target === 'function') {
    const s = target(logits);
    if (s.rank !== 1 || s.shape[0] !== n) throw new Error(`target: a target function must return scores [${n}], got [${s.shape.join(',')}]`);
    return { scores: s, classes: new Array<number>(n).fill(-1) };
  }
  let classes: number[];
  if (target === undefined) classes = Array.from(tf.argMax(logits, 1).dataSync());
  else if (typeof target === 'number') classes = new Array<number>(n).fill(target);
  else {
    if (target.length !== n) throw new Error(`target: expected ${n} class indices (one per image), got ${target.length}`);
    classes = [...target];
  }
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new Error(`class: expected an integer in [0, ${k - 1}] (the model has ${k} classes), got ${c}`);
  }
  const onehot = tf.oneHot(tf.tensor1d(classes, 'int32'), k);
  return { scores: tf.sum(tf.mul(logits, onehot), 1) as tf.Tensor1D, classes };
}

function activationShape(model: Module, layer: Module, path: string, probe: tf.Tensor4D): number[] {
  const shapes: number[][] = [];
  const remove = layer.registerForwardHook((_m, _in, out) => {
    shapes.push(out.shape);
  });
  try {
    tf.tidy(() => {
      model.call(probe);
    });
  } catch (e) {
    throw new Error(`input: the model cannot run on an input of shape [N,${probe.shape.slice(1).join(',')}] (NHWC): ${(e as Error).message}`);
  } finally {
    remove();
  }
  if (shapes.length !== 1) {
    throw new Error(`layer: '${path}' runs ${shapes.length} times per forward pass; pick a module that runs exactly once (e.g. its parent block)`);
  }
  if (shapes[0]!.length !== 4) throw new Error(`layer: '${path}' outputs shape [${shapes[0]!.join(',')}]; expected a 4-D NHWC feature map`);
  return shapes[0]!;
}

/** x must be NHWC float with the channel count of the model's first convolution. */
function checkInput(model: Module, x: tf.Tensor): void {
  if (x.rank !== 4) throw new Error(`input: expected a 4-D batch [N,H,W,C], got shape [${x.shape.join(',')}]`);
  if (x.dtype !== 'float32') throw new Error(`input: expected float32, got ${x.dtype}`);
  const c = inputChannels(model);
  if (c !== undefined && x.shape[3] !== c) {
    throw new Error(`input: the model takes ${c} input channels, got ${x.shape[3]} (shape [${x.shape.join(',')}], NHWC)`);
  }
}
