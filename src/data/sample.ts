// The random streams of the DataLoader and the per-sample preparation shared by its calling-thread path and its
// worker threads (so both give the same bytes): epoch order keyedRng(seed, ORDER, epoch), a sample's augmentation
// keyedRng(seed, SAMPLE, epoch, datasetIndex), a batch's mixing keyedRng(seed, BATCH, epoch, batchIndex).
import type { Rng } from '../core/rng.js';
import type { Image } from './image.js';
import { keyedRng } from './rng_source.js';
import { toFloat } from './transforms.js';

const ORDER = 1;
const SAMPLE = 2;
const BATCH = 3;

export const orderRng = (seed: number, epoch: number): Rng => keyedRng(seed, ORDER, epoch);
export const sampleRng = (seed: number, epoch: number, index: number): Rng => keyedRng(seed, SAMPLE, epoch, index);
export const batchRng = (seed: number, epoch: number, batch: number): Rng => keyedRng(seed, BATCH, epoch, batch);

/** A sample as it enters a batch: the transform with the sample's own stream, then float32 (uint8 scaled /255). */
export function prepareSample(
  img: Image, transform: ((img: Image, rng: Rng) => Image) | undefined, seed: number, epoch: number, index: number,
): Image {
  return toFloat(transform ? transform(img, sampleRng(seed, epoch, index)) : img);
}
