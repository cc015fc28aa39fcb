// CIFAR binary files and ImageFolder (JPEG via jpeg-js, PNG) written by the test itself.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR10, CIFAR100 } from '../../src/data/cifar.js';
import { ImageFolder } from '../../src/data/image_folder.js';
import { DataLoader } from '../../src/data/loader.js';
import { imagenetEvalTransform, imagenetTrainTransform } from '../../src/data/presets.js';
import { decodePng } from '../../src/data/png.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-ds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** One CIFAR record: label bytes then CHW pixels where pixel (c, y, x) = (label*7 + c*50 + y*3 + x) & 255. */
function record(labels: number[]): Buffer {
  const b = Buffer.alloc(labels.length + 3072);
  labels.forEach((l, i) => (b[i] = l));
  for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) {
    b[labels.length + c * 1024 + y * 32 + x] = (labels[labels.length - 1]! * 7 + c * 50 + y * 3 + x) & 255;
  }
  return b;
}

describe('CIFAR binary', () => {
  it('CIFAR-10: 5 train batches + test batch, CHW → HWC, labels', () => {
    const dir = join(tmp, 'c10', 'cifar-10-batches-bin');
    mkdirSync(dir, { recursive: true });
    for (let k = 1; k <= 5; k++) writeFileSync(join(dir, `data_batch_${k}.bin`), Buffer.concat([record([k]), record([(k + 5) % 10])]));
    writeFileSync(join(dir, 'test_batch.bin'), Buffer.concat([record([3]), record([9]), record([0])]));
    const train = new CIFAR10({ root: join(tmp, 'c10'), split: 'train' }); // parent folder works
    const test = new CIFAR10({ root: dir, split: 'test' });
    expect(train.length).toBe(10);
    expect(test.length).toBe(3);
    expect(train.imageShape).toEqual([32, 32, 3]);
    expect(Array.from({ length: 10 }, (_, i) => train.get(i).label)).toEqual([1, 6, 2, 7, 3, 8, 4, 9, 5, 0]);
    const s = test.get(1);
    expect(s.label).toBe(9);
    // HWC: pixel (y=2, x=5), channel 1 (G) = 9*7 + 50 + 6 + 5
    expect(s.image.data[(2 * 32 + 5) * 3 + 1]).toBe((63 + 50 + 6 + 5) & 255);
    expect(s.image.data[(31 * 32 + 31) * 3 + 2]).toBe((63 + 100 + 93 + 31) & 255);
  });

  it('CIFAR-100: coarse + fine labels', () => {
    const dir = join(tmp, 'c100');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'train.bin'), Buffer.concat([record([4, 99]), record([19, 0])]));
    const fine = new CIFAR100({ root: dir, split: 'train' });
    const coarse = new CIFAR100({ root: dir, split: 'train', labels: 'coarse' });
    expect(fine.numClasses).toBe(100);
    expect(coarse.numClasses).toBe(20);
    expect([fine.get(0).label, fine.get(1).label]).toEqual([99, 0]);
    expect([coarse.get(0).label, coarse.get(1).label]).toEqual([4, 19]);
    expect(fine.get(0).image.data[0]).toBe((99 * 7) & 255);
    expect(() => new CIFAR100({ root: dir, split: 'test' })).toThrow(/test.bin not found/);
  });

  it('clear errors: missing dir, truncated file, out-of-range label', () => {
    expect(() => new CIFAR10({ root: join(tmp, 'none'), split: 'train' })).toThrow(/none does not exist/);
    const dir = join(tmp, 'bad');
    mkdirSync(dir);
    writeFileSync(join(dir, 'test_batch.bin'), record([1]).subarray(0, 3000));
    expect(() => new CIFAR10({ root: dir, split: 'test' })).toThrow(/test_batch.bin has 3000 bytes/);
    writeFileSync(join(dir, 'test_batch.bin'), record([10]));
    expect(() => new CIFAR10({ root: dir, split: 'test' })).toThrow(/label 10, expected < 10/);
    writeFileSync(join(dir, 'data_batch_1.bin'), record([1]));
    expect(() => new CIFAR10({ root: dir, split: 'train' })).toThrow(/data_batch_2.bin is missing/);
  });
});

function crc32(b: Uint8Array): number {
  let c = ~0;
  for (const v of b) {
    c ^= v;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])));
  return Buffer.concat([head, body, crc]);
}
/** A PNG (colour type 2 or 0, depth 8) with a different filter on each row to exercise all five. */
function encodePng(w: number, h: number, ch: 1 | 3, px: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = ch === 3 ? 2 : 0;
  const stride = w * ch;
  const raw = Buffer.alloc(h * (stride + 1));
  for (let y = 0; y < h; y++) {
    const f = y % 5;
    raw[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const cur = px[y * stride + x]!;
      const a = x >= ch ? px[y * stride + x - ch]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + x]! : 0;
      const c = x >= ch && y > 0 ? px[(y - 1) * stride + x - ch]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f]!;
      raw[y * (stride + 1) + 1 + x] = (cur - pred) & 255;
    }
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

describe('ImageFolder', () => {
  const root = join(tmp, 'imgs', 'train');
  const solid = (w: number, h: number, rgb: [number, number, number]) => {
    const data = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([...rgb, 255], 4 * i);
    return jpeg.encode({ data, width: w, height: h }, 95).data;
  };
  for (const c of ['n02', 'n01', 'b_class']) mkdirSync(join(root, c, 'sub'), { recursive: true });
  writeFileSync(join(root, 'n01', 'b.JPEG'), solid(8, 6, [250, 10, 10]));
  writeFileSync(join(root, 'n01', 'a.jpg'), solid(5, 7, [10, 240, 10]));
  writeFileSync(join(root, 'n01', 'notes.txt'), 'ignored');
  writeFileSync(join(root, 'n01', 'sub', 'c.jpeg'), solid(4, 4, [10, 10, 240]));
  writeFileSync(join(root, 'n02', 'z.jpg'), solid(16, 9, [128, 128, 128]));
  const grey = new Uint8Array(6 * 5).map((_, i) => (i * 37) & 255);
  writeFileSync(join(root, 'b_class', 'g.png'), encodePng(6, 5, 1, grey));

  it('sorted classes and files like torchvision, lazy decode to RGB uint8 HWC', async () => {
    const ds = new ImageFolder({ root });
    expect(ds.classes).toEqual(['b_class', 'n01', 'n02']);
    expect(ds.numClasses).toBe(3);
    expect(ds.imageShape).toBeNull();
    expect(ds.samples.map(([p, l]) => [p.slice(root.length + 1), l])).toEqual([
      ['b_class/g.png', 0], ['n01/a.jpg', 1], ['n01/b.JPEG', 1], ['n01/sub/c.jpeg', 1], ['n02/z.jpg', 2],
    ]);
    const b = await ds.get(2);
    expect([b.image.height, b.image.width, b.image.channels, b.label]).toEqual([6, 8, 3, 1]);
    expect(b.image.data).toBeInstanceOf(Uint8Array);
    const mid = (3 * 8 + 4) * 3;
    expect(Math.abs(b.image.data[mid]! - 250)).toBeLessThan(6);
    expect(b.image.data[mid + 1]!).toBeLessThan(20);
    const g = await ds.get(0);
    expect([g.image.height, g.image.width]).toEqual([5, 6]);
    for (let i = 0; i < 30; i++) expect([g.image.data[3 * i], g.image.data[3 * i + 1], g.image.data[3 * i + 2]]).toEqual([grey[i], grey[i], grey[i]]);
    await expect(ds.get(5)).rejects.toThrow(/index/);
  });

  it('feeds the DataLoader through the ImageNet train / eval pipelines (async lazy decode)', async () => {
    const ds = new ImageFolder({ root });
    const ev = new DataLoader({ dataset: ds, batchSize: 5, transform: imagenetEvalTransform({ size: 16 }), concurrency: 3 });
    const batches: number[][] = [];
    for await (const b of ev) {
      batches.push(b.shape);
      expect(Array.from(b.y)).toEqual([0, 1, 1, 1, 2]);
      // eval: resize 18 + centre crop 16 of a solid red image (b.JPEG, sample 2) → normalised red ≈ (250/255 − 0.485)/0.229
      expect(b.x[2 * 16 * 16 * 3 + (8 * 16 + 8) * 3]).toBeCloseTo((250 / 255 - 0.485) / 0.229, 1);
    }
    expect(batches).toEqual([[5, 16, 16, 3]]);
    const tr = new DataLoader({ dataset: ds, batchSize: 2, shuffle: true, seed: 3, transform: imagenetTrainTransform({ size: 12, interpolation: 'bicubic' }) });
    const shapes: number[][] = [];
    for await (const b of tr) shapes.push(b.shape);
    expect(shapes).toEqual([[2, 12, 12, 3], [2, 12, 12, 3], [1, 12, 12, 3]]);
    // without a crop the varying image sizes cannot be batched: a clear error
    const raw = new DataLoader({ dataset: ds, batchSize: 5 });
    await expect(raw.batchAt(0, 0)).rejects.toThrow(/add a crop\/resize transform/);
  });

  it('errors: missing root, class without images, undecodable file', async () => {
    expect(() => new ImageFolder({ root: join(tmp, 'nothing') })).toThrow(/nothing does not exist/);
    const r2 = join(tmp, 'imgs2');
    mkdirSync(join(r2, 'empty_class'), { recursive: true });
    mkdirSync(join(r2, 'ok'), { recursive: true });
    writeFileSync(join(r2, 'ok', 'broken.jpg'), Buffer.from([0xff, 0xd8, 1, 2, 3]));
    expect(() => new ImageFolder({ root: r2 })).toThrow(/empty_class/);
    rmSync(join(r2, 'empty_class'), { recursive: true });
    const ds = new ImageFolder({ root: r2 });
    await expect(ds.get(0)).rejects.toThrow(/broken.jpg \(index 0\): not a JPEG or PNG file/);
  });
});

describe('PNG decoder', () => {
  it('decodes RGB with all five filter types', () => {
    const w = 7, h = 10;
    const px = new Uint8Array(w * h * 3).map((_, i) => (i * 97 + (i >> 3) * 13) & 255);
    const img = decodePng(encodePng(w, h, 3, px));
    expect([img.height, img.width, img.channels]).toEqual([h, w, 3]);
    expect(Array.from(img.data)).toEqual(Array.from(px));
    expect(() => decodePng(Buffer.from('GIF89a....'), 'x.png')).toThrow(/x.png: not a PNG/);
  });
});
