// CIFAR-10 / CIFAR-100 in the "binary version" format (https://www.cs.toronto.edu/~kriz/cifar.html):
//   CIFAR-10:  data_batch_1..5.bin (train), test_batch.bin; records of 1 label byte + 3072 pixel bytes.
//   CIFAR-100: train.bin, test.bin; records of 1 coarse label byte + 1 fine label byte + 3072 pixel bytes.
// Pixels are stored CHW (1024 R, 1024 G, 1024 B, each row-major 32×32); they are converted to HWC uint8 on load.
// `root` may be the folder holding the .bin files or its parent (with cifar-10-batches-bin/ or cifar-100-binary/).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ArrayDataset } from './dataset.js';

export interface CifarOptions {
  root: string;
  split: 'train' | 'test';
}

export interface Cifar100Options extends CifarOptions {
  /** which label to return: 'fine' (100 classes, default) or 'coarse' (20 superclasses) */
  labels?: 'fine' | 'coarse';
}

const PIXELS = 32 * 32 * 3;

function resolveDir(root: string, sub: string, first: string, what: string): string {
  if (!root || !existsSync(root) || !statSync(root).isDirectory()) throw new Error(`${what}: directory ${root} does not exist`);
  if (existsSync(join(root, first))) return root;
  if (existsSync(join(root, sub, first))) return join(root, sub);
  throw new Error(`${what}: ${first} not found in ${root} or ${join(root, sub)} (expected the binary version of the data set)`);
}

/** Parses records; returns HWC pixels and every label column (1 for CIFAR-10, 2 for CIFAR-100). */
function readRecords(files: string[], labelBytes: number, what: string): { pixels: Uint8Array; labels: Uint8Array[] } {
  const rec = labelBytes + PIXELS;
  const bufs = files.map((f) => {
    if (!existsSync(f)) throw new Error(`${what}: file ${f} is missing`);
    const b = readFileSync(f);
    if (b.length === 0 || b.length % rec !== 0) {
      throw new Error(`${what}: file ${f} has ${b.length} bytes, not a whole number of ${rec}-byte records (truncated or wrong format)`);
    }
    return b;
  });
  const n = bufs.reduce((a, b) => a + b.length / rec, 0);
  const pixels = new Uint8Array(n * PIXELS);
  const labels = Array.from({ length: labelBytes }, () => new Uint8Array(n));
  let k = 0;
  for (const b of bufs) {
    for (let off = 0; off < b.length; off += rec, k++) {
      for (let l = 0; l < labelBytes; l++) labels[l]![k] = b[off + l]!;
      const src = off + labelBytes;
      const dst = k * PIXELS;
      for (let p = 0; p < 1024; p++) {
        pixels[dst + 3 * p] = b[src + p]!;
        pixels[dst + 3 * p + 1] = b[src + 1024 + p]!;
        pixels[dst + 3 * p + 2] = b[src + 2048 + p]!;
      }
    }
  }
  return { pixels, labels };
}

function checkLabels(labels: Uint8Array, numClasses: number, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! >= numClasses) throw new Error(`${what}: record ${i} has label ${labels[i]}, expected < ${numClasses} (wrong format?)`);
  }
}

function checkSplit(split: unknown, what: string): asserts split is 'train' | 'test' {
  if (split !== 'train' && split !== 'test') throw new Error(`${what} split: expected 'train' or 'test', got ${String(split)}`);
}

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

export class CIFAR10 extends ArrayDataset {
  constructor(opts: CifarOptions) {
    const what = 'CIFAR-10';
    checkSplit(opts.split, what);
    const dir = resolveDir(opts.root, 'cifar-10-batches-bin', opts.split === 'train' ? 'data_batch_1.bin' : 'test_batch.bin', what);
    const names = opts.split === 'train' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['test_batch.bin'];
    const { pixels, labels } = readRecords(names.map((n) => join(dir, n)), 1, what);
    checkLabels(labels[0]!, 10, what);
    super(pixels, labels[0]!, [32, 32, 3], 10, `${what} ${opts.split}`);
  }
}

export class CIFAR100 extends ArrayDataset {
  readonly coarseLabels: Uint8Array;
  readonly fineLabels: Uint8Array;

  constructor(opts: Cifar100Options) {
    const what = 'CIFAR-100';
    checkSplit(opts.split, what);
    const which = opts.labels ?? 'fine';
    if (which !== 'fine' && which !== 'coarse') throw new Error(`CIFAR-100 labels: expected 'fine' or 'coarse', got ${String(which)}`);
    const file = opts.split === 'train' ? 'train.bin' : 'test.bin';
    const dir = resolveDir(opts.root, 'cifar-100-binary', file, what);
    const { pixels, labels } = readRecords([join(dir, file)], 2, what);
    const [coarse, fine] = labels as [Uint8Array, Uint8Array];
    checkLabels(coarse, 20, `${what} coarse`);
    checkLabels(fine, 100, `${what} fine`);
    super(pixels, which === 'fine' ? fine : coarse, [32, 32, 3], which === 'fine' ? 100 : 20, `${what} ${opts.split}`);
    this.coarseLabels = coarse;
    this.fineLabels = fine;
  }
}
