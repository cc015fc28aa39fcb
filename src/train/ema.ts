// Exponential moving average of a model's weights (timm `ModelEma`): a second model instance whose every parameter
// and float buffer (BN running stats included) follows e ← d·e + (1−d)·w after each optimiser step; integer buffers
// (num_batches_tracked) are copied. Optional warmup (timm ModelEmaV3): d_t = min(d, 1 − (1 + t/γ)^−p).
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module.js';

export interface EmaConfig {
  decay: number;
  /** use the warmup formula for the decay */
  warmup?: boolean;
  warmupGamma?: number;
  warmupPower?: number;
  /** evaluate the EMA model alongside the model */
  eval?: boolean;
}

function slots(m: Module): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const [k, p] of m.namedParameters()) out.set(k, p.variable);
  for (const [k, b] of m.namedBuffers()) out.set(k, b.variable);
  return out;
}

export class ModelEma {
  /** number of updates applied */
  updates = 0;
  private readonly pairs: Array<[tf.Variable, tf.Variable]> = [];

  /** `ema` must be a model of the same architecture; it is set to a copy of `source`. */
  constructor(readonly ema: Module, source: Module, readonly cfg: EmaConfig) {
    if (!(cfg.decay >= 0 && cfg.decay <= 1)) throw new Error(`ema.decay: expected a number in [0, 1], got ${cfg.decay}`);
    const src = slots(source);
    const dst = slots(ema);
    const missing = [...src.keys()].filter((k) => !dst.has(k));
    if (missing.length || src.size !== dst.size) throw new Error(`ModelEma: the EMA model does not match the model (keys ${missing.join(', ')})`);
    for (const [k, v] of src) {
      const e = dst.get(k)!;
      e.assign(v);
      this.pairs.push([e, v]);
    }
    ema.eval();
  }

  /** The decay used for update number `t` (0-based). */
  decayAt(t: number): number {
    const { decay, warmup, warmupGamma = 1, warmupPower = 2 / 3 } = this.cfg;
    if (!warmup) return decay;
    return Math.max(0, Math.min(decay, 1 - (1 + t / warmupGamma) ** -warmupPower));
  }

  update(): void {
    const d = this.decayAt(this.updates);
    for (const [e, w] of this.pairs) {
      if (e.dtype !== 'float32') {
        e.assign(w);
        continue;
      }
      const next = tf.tidy(() => tf.add(tf.mul(e, d), tf.mul(w, 1 - d)));
      e.assign(next);
      next.dispose();
    }
    this.updates += 1;
  }
}
