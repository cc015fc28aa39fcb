// TorchTensor ↔ tf.Tensor (PyTorch layout both ways) and PyValue → plain JSON-like metadata.
import * as tf from '@tensorflow/tfjs-core';
import { NumpyArray, PyFloat, PyGlobal, isPlainObject, type PyValue } from '../interop/py.js';
import { TorchTensor } from '../interop/tensor.js';

/**
 * A checkpoint tensor as a tf.Tensor of the same shape. float16/bfloat16/float64 → float32; int64/int16/int8/uint8 →
 * int32 (int64 values must fit in int32, as `num_batches_tracked` does); bool → bool.
 */
export function torchToTf(t: TorchTensor, what = 'tensor'): tf.Tensor {
  switch (t.dtype) {
    case 'float32': case 'float16': case 'bfloat16':
      return tf.tensor(t.data as Float32Array, t.shape, 'float32');
    case 'float64':
      return tf.tensor(Float32Array.from(t.data as Float64Array), t.shape, 'float32');
    case 'int64': {
      const src = t.data as BigInt64Array;
      const out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = src[i]!;
        if (v > 2147483647n || v < -2147483648n) {
          throw new Error(`${what}: int64 value ${v} at index ${i} does not fit in int32 (the only integer dtype of tfjs)`);
        }
        out[i] = Number(v);
      }
      return tf.tensor(out, t.shape, 'int32');
    }
    case 'int32': case 'int16': case 'int8': case 'uint8':
      return tf.tensor(Int32Array.from(t.data as Int32Array), t.shape, 'int32');
    case 'bool':
      return tf.tensor(t.data as Uint8Array, t.shape, 'bool');
  }
}

/** A tf.Tensor as a TorchTensor for saving: float32 stays, int32 → int64 (PyTorch's buffer dtype), bool → bool. */
export function tfToTorch(t: tf.Tensor): TorchTensor {
  const shape = t.shape;
  switch (t.dtype) {
    case 'float32':
      return new TorchTensor('float32', shape, Float32Array.from(t.dataSync() as Float32Array));
    case 'int32':
      return new TorchTensor('int64', shape, BigInt64Array.from(t.dataSync() as Int32Array, (v) => BigInt(v)));
    case 'bool':
      return new TorchTensor('bool', shape, Uint8Array.from(t.dataSync() as Uint8Array));
    default:
      throw new Error(`tfToTorch: cannot save a tensor of dtype '${t.dtype}' (expected float32, int32 or bool)`);
  }
}

export type Meta = null | boolean | number | string | Meta[] | { [key: string]: Meta };

/** Python value → JSON-like value: tuples/lists → arrays, dicts/namespaces → objects, scalars → numbers/strings. */
export function toMeta(v: PyValue, depth = 0): Meta {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof PyFloat) return v.value;
  if (v instanceof PyGlobal) return v.toString();
  if (v instanceof TorchTensor) {
    if (v.numel === 1) return typeof v.data[0] === 'bigint' ? Number(v.data[0]) : (v.data[0] as number);
    return `tensor ${v.dtype} [${v.shape.join(', ')}]`;
  }
  if (v instanceof NumpyArray) return `ndarray ${v.descr} [${v.shape.join(', ')}]`;
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  if (depth > 8) return '…';
  if (Array.isArray(v)) return (v as PyValue[]).map((x) => toMeta(x, depth + 1));
  if (v instanceof Set) return [...v].map((x) => toMeta(x, depth + 1));
  if (v instanceof Map) {
    const o: { [key: string]: Meta } = {};
    for (const [k, x] of v) o[String(k)] = toMeta(x, depth + 1);
    return o;
  }
  if (isPlainObject(v)) {
    const o: { [key: string]: Meta } = {};
    for (const [k, x] of Object.entries(v)) o[k] = toMeta(x, depth + 1);
    return o;
  }
  return String(v);
}
