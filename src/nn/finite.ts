// Are a module's parameters and buffers all finite? One fused reduction per tensor and a single read-back, cheap
// enough to run before every checkpoint save. The read-back is asynchronous: on webgpu in Node a synchronous read
// cannot wait for the GPU (tfjs's webgpu dataSync needs a browser's OffscreenCanvas).
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './module.js';

/** Names of float parameters / buffers holding NaN or ±Inf, with counts; empty when all are finite. */
export async function nonFiniteState(model: Module): Promise<string[]> {
  const vars: Array<[string, tf.Variable]> = [];
  for (const [k, p] of model.namedParameters()) if (p.variable.dtype === 'float32') vars.push([k, p.variable]);
  for (const [k, b] of model.namedBuffers()) if (b.variable.dtype === 'float32') vars.push([k, b.variable]);
  if (vars.length === 0) return [];
  const counts = tf.tidy(() => tf.stack(vars.map(([, v]) => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(v)), 'int32')))));
  const c = await counts.data();
  counts.dispose();
  const out: string[] = [];
  vars.forEach(([k, v], i) => {
    if (c[i]! > 0) out.push(`${k} (${c[i]} of ${v.size})`);
  });
  return out;
}
