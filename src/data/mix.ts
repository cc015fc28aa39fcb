// Batch-level Mixup / CutMix with timm's `Mixup` semantics (mode 'batch'), returning dense soft targets.
//  - with probability `prob` the batch is mixed; if both alphas are > 0, CutMix is chosen with probability
//    `switchProb`, else the one with a positive alpha; λ ~ Beta(α, α) of the chosen method.
//  - each image is mixed with its partner: the reversed batch (timm, `pairing: 'flip'`) or a random permutation
//    (NVIDIA/CHEX recipe, `pairing: 'permute'`).
//  - CutMix: box side ratio √(1−λ), centre uniform over the image, clipped; λ is corrected to 1 − box area / image area.
//  - targets: λ·onehot(y) + (1−λ)·onehot(y_partner), one-hots smoothed: off = ε/K, on = 1 − ε + ε/K.
// Draw order: random() for prob, random() for switch (only when both alphas > 0), beta, [permutation], [cy, cx].
import type { RandomSource } from './rng_source.js';

export interface MixOptions {
  numClasses: number;
  /** Mixup Beta(α, α); 0 disables mixup */
  mixupAlpha?: number;
  /** CutMix Beta(α, α); 0 disables cutmix */
  cutmixAlpha?: number;
  /** probability that a batch is mixed at all (default 1) */
  prob?: number;
  /** probability of CutMix when both are enabled (default 0.5) */
  switchProb?: number;
  /** label smoothing ε folded into the targets (default 0.1 as timm) */
  labelSmoothing?: number;
  /** correct λ to the clipped box area (default true) */
  correctLam?: boolean;
  pairing?: 'flip' | 'permute';
}

export interface MixResult {
  /** the mixed images (the input array, modified in place) */
  x: Float32Array;
  softY: Float32Array;
  lam: number;
  method: 'none' | 'mixup' | 'cutmix';
  /** cutmix box [yl, yh, xl, xh] (half-open) */
  box?: [number, number, number, number];
  /** partner index of each sample */
  partner: Int32Array;
}

/** Smoothed one-hot targets [N, K]: off = ε/K, on = 1 − ε + ε/K (timm's one_hot with smoothing). */
export function oneHot(labels: Int32Array, numClasses: number, smoothing = 0): Float32Array {
  const off = smoothing / numClasses;
  const on = 1 - smoothing + off;
  const out = new Float32Array(labels.length * numClasses).fill(off);
  labels.forEach((y, i) => {
    if (!(y >= 0 && y < numClasses)) throw new Error(`oneHot labels: expected values in [0, ${numClasses}), got ${y} at ${i}`);
    out[i * numClasses + y] = on;
  });
  return out;
}

/** timm's rand_bbox: cut size int(H·√(1−λ)) × int(W·√(1−λ)), centre (cy, cx) uniform, clipped to the image. */
export function cutmixBox(h: number, w: number, lam: number, rng: RandomSource): [number, number, number, number] {
  const r = Math.sqrt(1 - lam);
  const cutH = Math.trunc(h * r);
  const cutW = Math.trunc(w * r);
  const cy = rng.randint(h);
  const cx = rng.randint(w);
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return [clip(cy - (cutH >> 1), h), clip(cy + (cutH >> 1), h), clip(cx - (cutW >> 1), w), clip(cx + (cutW >> 1), w)];
}

/**
 * Mixes a batch x [N, H, W, C] (in place) with labels y [N]; returns soft targets [N, numClasses].
 */
export function mixBatch(x: Float32Array, shape: [number, number, number, number], y: Int32Array, rng: RandomSource, opts: MixOptions): MixResult {
  const [n, h, w, c] = shape;
  if (x.length !== n * h * w * c) throw new Error(`mixBatch x: expected ${n}×${h}×${w}×${c} values, got ${x.length}`);
  if (y.length !== n) throw new Error(`mixBatch y: expected ${n} labels, got ${y.length}`);
  const K = opts.numClasses;
  if (!Number.isInteger(K) || K <= 0) throw new Error(`mixBatch numClasses: expected a positive integer, got ${K}`);
  const ma = opts.mixupAlpha ?? 0;
  const ca = opts.cutmixAlpha ?? 0;
  const prob = opts.prob ?? 1;
  const switchProb = opts.switchProb ?? 0.5;
  const eps = opts.labelSmoothing ?? 0.1;
  if (ma < 0 || ca < 0) throw new Error(`mixBatch mixupAlpha/cutmixAlpha: expected ≥ 0, got ${ma}, ${ca}`);

  let lam = 1;
  let useCutmix = false;
  if ((ma > 0 || ca > 0) && rng.random() < prob) {
    if (ma > 0 && ca > 0) {
      useCutmix = rng.random() < switchProb;
      lam = useCutmix ? rng.beta(ca, ca) : rng.beta(ma, ma);
    } else if (ma > 0) {
      lam = rng.beta(ma, ma);
    } else {
      useCutmix = true;
      lam = rng.beta(ca, ca);
    }
  }
  const partner = new Int32Array(n);
  if ((opts.pairing ?? 'flip') === 'permute' && lam !== 1) partner.set(permutation(n, rng));
  else for (let i = 0; i < n; i++) partner[i] = n - 1 - i;

  let method: MixResult['method'] = 'none';
  let box: [number, number, number, number] | undefined;
  const per = h * w * c;
  if (lam !== 1) {
    const src = x.slice();
    if (useCutmix) {
      method = 'cutmix';
      box = cutmixBox(h, w, lam, rng);
      const [yl, yh, xl, xh] = box;
      for (let i = 0; i < n; i++) {
        const p = partner[i]!;
        for (let yy = yl; yy < yh; yy++) {
          const a = i * per + (yy * w + xl) * c;
          const b = p * per + (yy * w + xl) * c;
          x.set(src.subarray(b, b + (xh - xl) * c), a);
        }
      }
      if (opts.correctLam ?? true) lam = 1 - ((yh - yl) * (xh - xl)) / (h * w);
    } else {
      method = 'mixup';
      const l = Math.fround(lam);
      const m = Math.fround(1 - lam);
      for (let i = 0; i < n; i++) {
        const a = i * per;
        const b = partner[i]! * per;
        for (let k = 0; k < per; k++) x[a + k] = Math.fround(src[a + k]! * l) + Math.fround(src[b + k]! * m);
      }
    }
  }
  const y1 = oneHot(y, K, eps);
  const softY = new Float32Array(n * K);
  for (let i = 0; i < n; i++) {
    const p = partner[i]!;
    for (let k = 0; k < K; k++) softY[i * K + k] = y1[i * K + k]! * lam + y1[p * K + k]! * (1 - lam);
  }
  return { x, softY, lam, method, box, partner };
}

function permutation(n: number, rng: RandomSource): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.randint(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
