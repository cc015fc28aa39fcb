// PiX sampling probabilities per module and per stage (supplement Figure 4), collected with forward hooks on each
// PiX predictor's activation (`sigmoid_sqz` / `tanh_sqz`, docs/methods/pix.md §3): p [N,1,1,G] per call.
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module.js';

const ACTIVATIONS = ['sigmoid_sqz', 'tanh_sqz'];

export interface PixProbabilities {
  /** Per PiX module path (e.g. 'layer2.blocks.1'): every p value of the batch, [N·G]. */
  modules: Map<string, Float32Array>;
  /** Per stage (the path's first segment, e.g. 'layer2'): the concatenation of its modules' values. */
  stages: Map<string, Float32Array>;
}

/** The paths of the model's PiX probability activations. */
export function pixActivationPaths(model: Module): string[] {
  return [...model.namedModules()].map(([k]) => k).filter((k) => ACTIVATIONS.includes(k.split('.').pop()!));
}

/**
 * Runs `model` on each batch (NHWC) and gathers the sampling probabilities p of every PiX module. The model should be
 * in eval mode. A model without PiX modules is an error.
 */
export async function collectPixProbabilities(model: Module, batches: Iterable<tf.Tensor4D>): Promise<PixProbabilities> {
  const paths = pixActivationPaths(model);
  if (paths.length === 0) throw new Error(`model: ${model.typeName} has no PiX modules (no ${ACTIVATIONS.join('/')} layers)`);
  const chunks = new Map<string, tf.Tensor[]>(paths.map((p) => [owner(p), []]));
  const removers = paths.map((p) => model.getModule(p).registerForwardHook((_m, _in, out) => {
    chunks.get(owner(p))!.push(tf.keep(tf.reshape(out, [-1])));
  }));
  try {
    for (const x of batches) tf.tidy(() => { model.call(x); });
  } finally {
    for (const r of removers) r();
  }
  const modules = new Map<string, Float32Array>();
  for (const [k, list] of chunks) {
    const parts = await Promise.all(list.map((t) => t.data() as Promise<Float32Array>));
    list.forEach((t) => t.dispose());
    modules.set(k, concat(parts));
  }
  const stages = new Map<string, Float32Array[]>();
  for (const [k, v] of modules) {
    const s = k.split('.')[0]!;
    stages.set(s, [...(stages.get(s) ?? []), v]);
  }
  return { modules, stages: new Map([...stages].map(([k, v]) => [k, concat(v)])) };
}

function owner(path: string): string {
  const parts = path.split('.');
  parts.pop();
  if (parts[parts.length - 1] === 'pix') parts.pop();
  return parts.join('.') || '(root)';
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
