// JS representation of the Python values found in PyTorch checkpoints.
//   None → null, bool → boolean, int → number (bigint outside ±(2^53 − 1)), float → number, str → string,
//   bytes/bytearray → Uint8Array, list → array, tuple → frozen array (Object.isFrozen), dict → Map,
//   collections.OrderedDict → OrderedDict (a Map), set/frozenset → Set, tensor → TorchTensor,
//   argparse.Namespace → plain object, numpy scalar → number/bigint/boolean, torch.device → string,
//   numpy array → NumpyArray, other allow-listed references (storage classes, torch dtypes) → PyGlobal.
import { TorchStorage, TorchTensor } from './tensor.js';

export type PyValue =
  | null | boolean | number | bigint | string | Uint8Array
  | PyValue[] | readonly PyValue[]
  | Map<PyValue, PyValue> | Set<PyValue>
  | TorchTensor | TorchStorage | NumpyArray | NumpyDtype | PyGlobal | PyFloat | PyNamespace;

/** argparse.Namespace (attributes as own properties). */
export interface PyNamespace {
  [attr: string]: PyValue;
}

/** collections.OrderedDict; `attrs` holds instance attributes (PyTorch stores `_metadata` there). */
export class OrderedDict extends Map<PyValue, PyValue> {
  attrs: Record<string, PyValue> = {};
}

/** A reference to an allow-listed Python global that is kept as a value (e.g. `torch.float32`). */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  toString(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Marks a number to be written as a Python float even when it is integral (saving only). */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type NumpyData = Float32Array | Float64Array | BigInt64Array | BigUint64Array | Int32Array | Uint32Array
  | Int16Array | Uint16Array | Int8Array | Uint8Array;

/** A numpy ndarray (C order copy, native byte order). descr without byte order, e.g. 'f4', 'i8', 'b1' ('f2' → Float32Array). */
export class NumpyArray {
  descr = '';
  shape: number[] = [];
  data: NumpyData = new Uint8Array(0);
}

/** A numpy dtype object (`numpy.dtype('f8')`); byteorder is set by its pickled state. */
export class NumpyDtype {
  byteorder = '=';
  constructor(readonly descr: string) {}
}

export function isTuple(v: PyValue): v is readonly PyValue[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

export function tuple(...items: PyValue[]): readonly PyValue[] {
  return Object.freeze(items);
}

/** True for a Map (dict or OrderedDict). */
export function isDict(v: unknown): v is Map<PyValue, PyValue> {
  return v instanceof Map;
}

/** Plain JS object (not an array, typed array, Map, tensor, ...): a Namespace on load, a dict on save. */
export function isPlainObject(v: unknown): v is PyNamespace {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
