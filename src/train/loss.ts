// Classification losses (means over the batch) and accuracy metrics. logits: [N, K].
//  - crossEntropy: PyTorch `F.cross_entropy(label_smoothing=ε)` = (1−ε)·NLL + ε·mean_c(−log p_c).
//  - softTargetCrossEntropy: timm `SoftTargetCrossEntropy` = mean_n Σ_c −t_c log p_c (mixup/cutmix targets).
//  - bceWithLogits: `F.binary_cross_entropy_with_logits(logits, targets)`, averaged over all N·K entries (timm
//    `--bce_loss`; hard labels become smoothed one-hots off = ε/K, on = 1 − ε + ε/K).
import * as tf from '@tensorflow/tfjs-core';

export type LossKind = 'ce' | 'bce';
export const LOSS_KINDS: readonly LossKind[] = ['ce', 'bce'];

export interface LossConfig {
  kind: LossKind;
  /** label smoothing ε for hard labels (soft targets from mixup already contain it) */
  labelSmoothing?: number;
}

function checkLogits(logits: tf.Tensor, n: number, what: string): void {
  if (logits.rank !== 2 || logits.shape[0] !== n) {
    throw new Error(`${what}: logits must be [N=${n}, K], got [${logits.shape.join(',')}]`);
  }
}

export function crossEntropy(logits: tf.Tensor, labels: Int32Array, labelSmoothing = 0): tf.Scalar {
  checkLogits(logits, labels.length, 'crossEntropy');
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new Error(`labelSmoothing: expected [0, 1], got ${labelSmoothing}`);
  const k = logits.shape[1]!;
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), k);
    const nll = tf.neg(tf.sum(tf.mul(logp, onehot), 1));
    if (labelSmoothing === 0) return tf.mean(nll);
    const smooth = tf.neg(tf.mean(logp, 1));
    return tf.mean(tf.add(tf.mul(nll, 1 - labelSmoothing), tf.mul(smooth, labelSmoothing)));
  }) as tf.Scalar;
}

export function softTargetCrossEntropy(logits: tf.Tensor, targets: Float32Array): tf.Scalar {
  const [n, k] = logits.shape as [number, number];
  if (targets.length !== n * k) throw new Error(`softTargetCrossEntropy: targets must have N·K = ${n * k} values, got ${targets.length}`);
  return tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(tf.tensor2d(targets, [n, k]), tf.logSoftmax(logits)), 1)))) as tf.Scalar;
}

export function bceWithLogits(logits: tf.Tensor, targets: Float32Array): tf.Scalar {
  const [n, k] = logits.shape as [number, number];
  if (targets.length !== n * k) throw new Error(`bceWithLogits: targets must have N·K = ${n * k} values, got ${targets.length}`);
  return tf.tidy(() => {
    const t = tf.tensor2d(targets, [n, k]);
    // max(x, 0) − x·t + log(1 + exp(−|x|))
    const l = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, t)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.mean(l);
  }) as tf.Scalar;
}

/** Smoothed one-hot targets (timm one_hot with smoothing). */
export function smoothOneHot(labels: Int32Array, k: number, smoothing: number): Float32Array {
  const off = smoothing / k;
  const out = new Float32Array(labels.length * k).fill(off);
  labels.forEach((y, i) => (out[i * k + y] = 1 - smoothing + off));
  return out;
}

/** The training loss for a batch: soft targets (mixup) if given, else hard labels with smoothing. */
export function classificationLoss(cfg: LossConfig, logits: tf.Tensor, labels: Int32Array, softY?: Float32Array): tf.Scalar {
  const eps = cfg.labelSmoothing ?? 0;
  if (cfg.kind === 'bce') return bceWithLogits(logits, softY ?? smoothOneHot(labels, logits.shape[1]!, eps));
  if (cfg.kind === 'ce') return softY ? softTargetCrossEntropy(logits, softY) : crossEntropy(logits, labels, eps);
  throw new Error(`loss.kind: expected one of ${LOSS_KINDS.join(', ')}, got '${String(cfg.kind)}'`);
}

/**
 * Number of samples whose label is among the top-k logits (ties broken towards the lower class index, as torch.topk).
 * A row holding a NaN is wrong at every k (a diverged model must not score); a label outside [0, K) is an error.
 */
export function topkCorrect(logits: Float32Array, k: number, labels: Int32Array, ks: number[]): number[] {
  const n = labels.length;
  if (logits.length !== n * k) throw new Error(`topkCorrect: logits must hold N·K = ${n}·${k} values, got ${logits.length}`);
  const counts = ks.map(() => 0);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!(y >= 0 && y < k)) throw new Error(`topkCorrect: label ${y} of sample ${i} is outside [0, ${k}) (the model has ${k} classes)`);
    const row = logits.subarray(i * k, (i + 1) * k);
    const target = row[y]!;
    let rank = 0; // classes ranked strictly before the label
    let nan = false;
    for (let c = 0; c < k; c++) {
      const v = row[c]!;
      if (v !== v) nan = true;
      else if (v > target || (v === target && c < y)) rank++;
    }
    if (nan) continue;
    ks.forEach((kk, j) => {
      if (rank < kk) counts[j]!++;
    });
  }
  return counts;
}
