// Fashion-MNIST from the IDX files of Debian's `dataset-fashion-mnist` package (or any directory with the same names,
// gzipped or not). 60000 train / 10000 test images, 28×28×1 uint8, 10 classes.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ArrayDataset } from './dataset.js';
import { readIdxPair } from './idx.js';

export const FASHION_MNIST_ROOT = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

export interface FashionMNISTOptions {
  root?: string;
  split: 'train' | 'test';
}

function findFile(root: string, base: string): string {
  for (const name of [`${base}.gz`, base]) {
    const p = join(root, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`Fashion-MNIST: ${join(root, base)}(.gz) not found in ${root} (install it with \`apt-get install dataset-fashion-mnist\`)`);
}

export class FashionMNIST extends ArrayDataset {
  readonly split: 'train' | 'test';
  readonly root: string;

  constructor(opts: FashionMNISTOptions) {
    const root = opts.root ?? FASHION_MNIST_ROOT;
    const split = opts.split;
    if (split !== 'train' && split !== 'test') throw new Error(`Fashion-MNIST split: expected 'train' or 'test', got ${String(split)}`);
    if (!existsSync(root) || !statSync(root).isDirectory() || readdirSync(root).length === 0) {
      throw new Error(
        `Fashion-MNIST: directory ${root} is missing or empty; install the data with \`apt-get install dataset-fashion-mnist\` or pass root`,
      );
    }
    const prefix = split === 'train' ? 'train' : 't10k';
    const { images, labels } = readIdxPair(findFile(root, `${prefix}-images-idx3-ubyte`), findFile(root, `${prefix}-labels-idx1-ubyte`));
    const [, h, w] = images.dims as [number, number, number];
    super(images.data, labels.data, [h, w, 1], 10, `Fashion-MNIST ${split}`);
    this.split = split;
    this.root = root;
  }
}
