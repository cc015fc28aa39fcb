// torchvision-style ImageFolder: root/<class>/**/<file>.{jpeg,jpg,png} (case-insensitive). Class names are the
// sorted sub-folder names → indices 0..K-1; files are listed in sorted order per class (as torchvision's make_dataset).
// Images are decoded lazily in get(i) (./decode.ts: Pillow-exact natively, jpeg-js without the addon) and returned
// as RGB uint8 HWC. A DataLoader with workers decodes them in its worker threads instead (sampleFile(i)).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { checkIndex, type Dataset, type Sample, type SampleFile } from './dataset.js';
import { decodeImage, isJpeg, isPng, readImageFile, unreadable } from './decode.js';
import { checkPngChunks } from './png.js';

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
   * Checks the first `count` files without decoding them: each must be readable, start with a JPEG (FF D8 FF) or PNG
   * signature and end like one (JPEG: FF D9, allowing trailing padding; a PNG's chunks are read whole and their
   * lengths and CRCs checked up to IEND). Catches empty, unreadable, truncated, corrupt and non-image files
   * before a run spends an epoch training; the error names the file and its dataset index.
   */
  async verify(count = this.samples.length): Promise<void> {
    const n = Math.min(count, this.samples.length);
    const head = Buffer.alloc(8);
    const tail = Buffer.alloc(64);
    for (let i = 0; i < n; i++) {
      const path = this.samples[i]![0];
      const where = `ImageFolder: ${path} (index ${i})`;
      let f;
      try {
        f = await open(path, 'r');
      } catch (e) {
        throw unreadable(where, e);
      }
      try {
        const size = (await f.stat()).size;
        if (size === 0) throw new Error(`${where} is empty (0 bytes); expected a JPEG or PNG image (remove or replace it)`);
        const { bytesRead } = await f.read(head, 0, 8, 0);
        const png = isPng(head.subarray(0, bytesRead));
        const jpg = isJpeg(head.subarray(0, bytesRead));
        if (!png && !jpg) throw new Error(`${where} is not a JPEG or PNG file (${size} bytes); expected an image (remove or replace it)`);
        if (png) {
          checkPngChunks(await f.readFile(), where);
          continue;
        }
        const t = Math.min(64, size);
        await f.read(tail, 0, t, size - t);
        if (!tail.subarray(0, t).includes(Buffer.from([0xff, 0xd9]))) {
          throw new Error(`${where} is truncated or corrupt (no JPEG end marker FF D9 at its end); expected a complete image`);
        }
      } finally {
        await f.close();
      }
    }
  }

  /** The file and label of sample i (what a loader's worker threads read and decode). */
  sampleFile(i: number): SampleFile {
    checkIndex(i, this.samples.length, 'ImageFolder');
    const [path, label] = this.samples[i]!;
    return { path, label, name: `ImageFolder: ${path} (index ${i})` };
  }

  async get(i: number): Promise<Sample> {
    checkIndex(i, this.samples.length, 'ImageFolder');
    const { path, label, name } = this.sampleFile(i);
    return { image: decodeImage(await readImageFile(path, name), name), label };
  }
}
