// tf.addN in chunks: tfjs-webgpu's AddN binds every input as a storage buffer, and devices allow as few as 8 per shader
// stage (lavapipe: 8), so an addN of more than 7 tensors fails there with a validation error (and yields garbage).
import * as tf from '@tensorflow/tfjs-core';

/** Element-wise sum of ts (same shapes), at most `maxInputs` per AddN call. */
export function addNChunked<T extends tf.Tensor>(ts: T[], maxInputs = 7): T {
  if (ts.length === 0) throw new Error('addNChunked: ts must hold at least one tensor');
  if (!Number.isInteger(maxInputs) || maxInputs < 2) throw new Error(`addNChunked: maxInputs must be an integer ≥ 2, got ${maxInputs}`);
  return tf.tidy(() => {
    let level: tf.Tensor[] = ts;
    while (level.length > 1) {
      const next: tf.Tensor[] = [];
      for (let i = 0; i < level.length; i += maxInputs) {
        const chunk = level.slice(i, i + maxInputs);
        next.push(chunk.length === 1 ? chunk[0]! : tf.addN(chunk));
      }
      level = next;
    }
    return level[0] as T;
  });
}
