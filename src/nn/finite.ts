// Are a module's parameters and buffers all finite? One fused reduction per tensor and a single read-back, cheap
// enough to run before every checkpoint save.
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './module.js';

/** Names of float parameters / buffers holding NaN or ±Inf, with counts; empty when all are finite. */
export function nonFiniteState(model: Module): string[] {
  const vars: Array<[string, tf.Variable]> = [];
  for (const [k, p] of model.namedParameters()) if (p.variable.dtype === 'float32') vars.push([k, p.variable]);
  for (const [k, b] of model.namedBuffers()) if (b.variable.dtype === 'float32') vars.push([k, b.variable]);
  if (vars.length === 0) return [];
  const counts = tf.tidy(() => tf.stack(vars.map(([, v]) => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(v)), 'int32')))));
  const c = counts.dataSync();
  counts.dispose();
  const out: string[] = [];
  vars.forEach(([k, v], i) => {
    if (c[i]! > 0) out.push(`${k} (${c[i]} of ${v.size})`);
  });
  return out;
}
