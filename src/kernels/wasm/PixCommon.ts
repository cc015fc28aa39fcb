// Helpers shared by the wasm PiX kernels: heap views and per-sample branch tables.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { PixAttrs } from '../../ops/pix/kernel_names.js';
import { assertNoNaN, avgDivisorOf, groupSize, type PixDims } from '../../ops/pix/shape.js';

/** Minimal view of tfjs-backend-wasm's BackendWasm used here. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/** Branch codes, fixed per (n, g): the p-threshold decision never varies over pixels (docs/methods/pix.md §1.1). */
export const MODE_MAX = 0;
export const MODE_AVG = 1;
export const MODE_MIN = 2;
export const MODE_WPIX = 3;

/** Per-group constants: real channel count, avg divisor. */
export function groupTables(d: PixDims, attrs: PixAttrs): { sizes: Int32Array; divs: Float64Array } {
  const sizes = new Int32Array(d.G);
  const divs = new Float64Array(d.G);
  for (let g = 0; g < d.G; g++) {
    sizes[g] = groupSize(d, g);
    divs[g] = avgDivisorOf(d, g, attrs);
  }
  return { sizes, divs };
}

/**
 * What the wasm and native PiX kernels set up before their loops: p scanned for NaN when asked, the per-group tables,
 * and room for the branch codes of `samples` samples (filled by fillModes).
 */
export function pixTables(p: Float32Array, d: PixDims, attrs: PixAttrs, samples = 1): { sizes: Int32Array; divs: Float64Array; modes: Int32Array } {
  if (attrs.checkNaN) assertNoNaN(p, d.G);
  return { ...groupTables(d, attrs), modes: new Int32Array(samples * d.G) };
}

/** Fills modes[g] for sample n. */
export function fillModes(modes: Int32Array, p: Float32Array, n: number, G: number, attrs: PixAttrs): void {
  for (let g = 0; g < G; g++) {
    switch (attrs.reduce) {
      case 'pick-or-mix': modes[g] = p[n * G + g] < attrs.tau ? MODE_MAX : MODE_AVG; break;
      case 'max': modes[g] = MODE_MAX; break;
      case 'avg': modes[g] = MODE_AVG; break;
      case 'min': modes[g] = MODE_MIN; break;
      case 'w-pix': modes[g] = MODE_WPIX; break;
    }
  }
}
