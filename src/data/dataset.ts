// The dataset interface shared by every source (Fashion-MNIST, CIFAR, ImageFolder, in-memory arrays).
import type { Image } from './image.js';

export interface Sample {
  image: Image;
  label: number;
}

/** Where a file-backed sample lives: what a DataLoader's worker threads read and decode themselves. */
export interface SampleFile {
  path: string;
  label: number;
  /** names the sample in errors, e.g. 'ImageFolder: <path> (index 17)' */
  name: string;
}

export interface Dataset {
  readonly length: number;
  readonly numClasses: number;
  /** [H, W, C] when every image has the same shape; null when sizes vary (ImageFolder). */
  readonly imageShape: [number, number, number] | null;
  /** One sample (HWC image + integer label); may be async for sources that read files lazily. */
  get(i: number): Sample | Promise<Sample>;
  /**
   * A cheap check that the first `count` samples (default all) can be read, run before training starts; throws
   * naming the first bad file. Sources whose data is already in memory need not implement it.
   */
  verify?(count?: number): Promise<void>;
  /** Sources whose samples are image files (ImageFolder): the file of sample i, so that worker threads can load it. */
  sampleFile?(i: number): SampleFile;
}

export function checkIndex(i: number, length: number, what: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= length) throw new Error(`${what} index: expected an integer in [0, ${length}), got ${i}`);
}

/**
 * Images already in memory: `pixels` is [N, H, W, C] uint8 (or float32), `labels` [N]. get(i) returns views, no copies.
 */
export class ArrayDataset implements Dataset {
  readonly length: number;
  readonly imageShape: [number, number, number];

  constructor(
    readonly pixels: Uint8Array | Float32Array,
    readonly labels: Int32Array | Uint8Array,
    shape: [number, number, number],
    readonly numClasses: number,
    private readonly name = 'ArrayDataset',
  ) {
    const per = shape[0] * shape[1] * shape[2];
    if (!(per > 0) || pixels.length % per !== 0 || pixels.length / per !== labels.length) {
      throw new Error(`${name}: pixels (${pixels.length} values) do not hold ${labels.length} images of shape [${shape.join(', ')}]`);
    }
    for (let i = 0; i < labels.length; i++) {
      if (labels[i]! >= numClasses || labels[i]! < 0) {
        throw new Error(`${name}: label ${labels[i]} at index ${i} is outside [0, ${numClasses})`);
      }
    }
    this.length = labels.length;
    this.imageShape = shape;
  }

  get(i: number): Sample {
    checkIndex(i, this.length, this.name);
    const [h, w, c] = this.imageShape;
    const per = h * w * c;
    return { image: { data: this.pixels.subarray(i * per, (i + 1) * per), height: h, width: w, channels: c }, label: this.labels[i]! };
  }
}
