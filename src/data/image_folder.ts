// torchvision-style ImageFolder: root/<class>/**/<file>.{jpeg,jpg,png} (case-insensitive). Class names are the
// sorted sub-folder names → indices 0..K-1; files are listed in sorted order per class (as torchvision's make_dataset).
// Images are decoded lazily in get(i) (JPEG via jpeg-js, PNG via ./png.ts) and returned as RGB uint8 HWC.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { checkIndex, type Dataset, type Sample } from './dataset.js';
import type { Image } from './image.js';
import { decodePng } from './png.js';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png'] as const;

export interface ImageFolderOptions {
  /** folder holding one sub-folder per class (e.g. `<imagenet>/train` or `<imagenet>/val`) */
  root: string;
  /** lower-case extensions to accept (default .jpg .jpeg .png) */
  extensions?: readonly string[];
  /**
   * The class index to use (torchvision's `class_to_idx`), e.g. the training split's for its validation split: a
   * folder not in it is an error; a class without a folder is allowed and listed in `missingClasses`.
   */
  classes?: readonly string[];
}

/** The class sub-folders of `root`, sorted (torchvision's `find_classes`). */
export function findClasses(root: string): string[] {
  if (!root || !existsSync(root) || !statSync(root).isDirectory()) throw new Error(`ImageFolder root: directory ${root} does not exist`);
  const classes = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() || (e.isSymbolicLink() && statSync(join(root, e.name)).isDirectory()))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (classes.length === 0) throw new Error(`ImageFolder root: ${root} has no class sub-folders`);
  return classes;
}

function walkSorted(dir: string, exts: readonly string[], out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    const isDir = e.isDirectory() || (e.isSymbolicLink() && statSync(p).isDirectory());
    if (!isDir && exts.some((x) => e.name.toLowerCase().endsWith(x))) out.push(p);
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory() || (e.isSymbolicLink() && statSync(p).isDirectory())) walkSorted(p, exts, out);
  }
}

/** Decodes a JPEG or PNG file's bytes to RGB uint8 HWC. */
export function decodeImage(bytes: Uint8Array, name: string): Image {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50) return decodePng(bytes, name);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    try {
      const d = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
      return { data: d.data, height: d.height, width: d.width, channels: 3 };
    } catch (e) {
      throw new Error(`${name}: cannot decode JPEG (${(e as Error).message})`);
    }
  }
  throw new Error(`${name}: not a JPEG or PNG file`);
}

export class ImageFolder implements Dataset {
  readonly root: string;
  readonly classes: string[];
  readonly classToIdx: Map<string, number>;
  /** [path, label] in dataset order */
  readonly samples: Array<[string, number]>;
  readonly imageShape = null;
  /** classes of `opts.classes` without a folder here (no samples of them) */
  readonly missingClasses: string[];

  constructor(opts: ImageFolderOptions) {
    const root = opts.root;
    const exts = (opts.extensions ?? IMAGE_EXTENSIONS).map((e) => e.toLowerCase());
    const found = findClasses(root);
    this.root = root;
    this.classes = opts.classes ? [...opts.classes] : found;
    this.classToIdx = new Map(this.classes.map((c, i) => [c, i]));
    const unknown = found.filter((c) => !this.classToIdx.has(c));
    if (unknown.length > 0) {
      throw new Error(`ImageFolder: ${root} has class folder(s) ${unknown.slice(0, 5).map((c) => `'${c}'`).join(', ')}${unknown.length > 5 ? ', …' : ''} ` +
        `that the given class index lacks (expected only ${this.classes.slice(0, 10).join(', ')}${this.classes.length > 10 ? ', …' : ''}); ` +
        'every split must use the training split\'s classes');
    }
    this.missingClasses = this.classes.filter((c) => !found.includes(c));
    this.samples = [];
    const empty: string[] = [];
    found.forEach((c) => {
      const label = this.classToIdx.get(c)!;
      const files: string[] = [];
      walkSorted(join(root, c), exts, files);
      if (files.length === 0) empty.push(c);
      for (const f of files) this.samples.push([f, label]);
    });
    if (empty.length > 0) {
      throw new Error(`ImageFolder: no ${exts.join('/')} files for class(es) ${empty.slice(0, 5).join(', ')} under ${root}`);
    }
  }

  get length(): number {
    return this.samples.length;
  }

  get numClasses(): number {
    return this.classes.length;
  }

  /**
   * Checks the first `count` files without decoding them: each must start with a JPEG (FF D8) or PNG signature and
   * end like one (JPEG: FF D9, allowing trailing padding; PNG: an IEND chunk). Catches empty, truncated and non-image
   * files before a run spends an epoch training.
   */
  async verify(count = this.samples.length): Promise<void> {
    const n = Math.min(count, this.samples.length);
    const head = Buffer.alloc(8);
    const tail = Buffer.alloc(64);
    for (let i = 0; i < n; i++) {
      const path = this.samples[i]![0];
      const f = await open(path, 'r');
      try {
        const size = (await f.stat()).size;
        await f.read(head, 0, 8, 0);
        const t = Math.min(64, size);
        await f.read(tail, 0, t, size - t);
        const end = tail.subarray(0, t);
        const png = size >= 8 && head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47;
        const jpg = size >= 4 && head[0] === 0xff && head[1] === 0xd8;
        if (!png && !jpg) throw new Error(`ImageFolder: ${path} is not a JPEG or PNG file (${size} bytes); expected an image (remove or replace it)`);
        const ok = png ? end.includes(Buffer.from('IEND')) : end.includes(Buffer.from([0xff, 0xd9]));
        if (!ok) throw new Error(`ImageFolder: ${path} is truncated or corrupt (no ${png ? 'PNG IEND chunk' : 'JPEG end marker FF D9'} at its end); expected a complete image`);
      } finally {
        await f.close();
      }
    }
  }

  async get(i: number): Promise<Sample> {
    checkIndex(i, this.samples.length, 'ImageFolder');
    const [path, label] = this.samples[i]!;
    const bytes = await readFile(path);
    return { image: decodeImage(bytes, path), label };
  }
}
