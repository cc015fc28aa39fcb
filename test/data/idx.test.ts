// IDX reader and Fashion-MNIST: the real Debian files, corrupt copies, missing / empty directories.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FashionMNIST, FASHION_MNIST_ROOT } from '../../src/data/fashion_mnist.js';
import { parseIdx, readIdx, readIdxPair } from '../../src/data/idx.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-idx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Independent few-line parser: gunzip, skip the 8-byte label header, take bytes.
function firstLabels(file: string, k: number): number[] {
  const b = gunzipSync(readFileSync(join(FASHION_MNIST_ROOT, file)));
  expect(b.readUInt32BE(0)).toBe(0x801);
  return [...b.subarray(8, 8 + k)];
}

describe('Fashion-MNIST (real files)', () => {
  const train = new FashionMNIST({ split: 'train' });
  const test = new FashionMNIST({ split: 'test' });

  it('has the documented sizes, shape and dtype', () => {
    expect(train.length).toBe(60000);
    expect(test.length).toBe(10000);
    expect(train.numClasses).toBe(10);
    expect(train.imageShape).toEqual([28, 28, 1]);
    const s = train.get(0);
    expect(s.image.data).toBeInstanceOf(Uint8Array);
    expect(s.image.data.length).toBe(784);
    expect([s.image.height, s.image.width, s.image.channels]).toEqual([28, 28, 1]);
  });

  it('labels match an independent parse of the label files', () => {
    const k = 20;
    expect(Array.from({ length: k }, (_, i) => train.get(i).label)).toEqual(firstLabels('train-labels-idx1-ubyte.gz', k));
    expect(Array.from({ length: k }, (_, i) => test.get(i).label)).toEqual(firstLabels('t10k-labels-idx1-ubyte.gz', k));
    // the well-known first train labels: ankle boot, T-shirt, T-shirt, dress, T-shirt
    expect(Array.from({ length: 5 }, (_, i) => train.get(i).label)).toEqual([9, 0, 0, 3, 0]);
    // class balance: 6000 per class in train
    const counts = new Array(10).fill(0);
    for (let i = 0; i < train.length; i++) counts[train.get(i).label]++;
    expect(counts).toEqual(new Array(10).fill(6000));
  });

  it('pixels match an independent parse of the image file', () => {
    const b = gunzipSync(readFileSync(join(FASHION_MNIST_ROOT, 't10k-images-idx3-ubyte.gz')));
    expect([b.readUInt32BE(0), b.readUInt32BE(4), b.readUInt32BE(8), b.readUInt32BE(12)]).toEqual([0x803, 10000, 28, 28]);
    const i = 1234;
    expect(Buffer.from(test.get(i).image.data)).toEqual(b.subarray(16 + i * 784, 16 + (i + 1) * 784));
    expect(() => test.get(10000)).toThrow(/index/);
  });
});

describe('IDX validation', () => {
  const labelsGz = join(FASHION_MNIST_ROOT, 't10k-labels-idx1-ubyte.gz');
  const imagesGz = join(FASHION_MNIST_ROOT, 't10k-images-idx3-ubyte.gz');

  it('reads raw (uncompressed) files too', () => {
    const raw = join(tmp, 'labels-raw');
    writeFileSync(raw, gunzipSync(readFileSync(labelsGz)));
    const a = readIdx(raw, 1);
    expect(a.dims).toEqual([10000]);
    expect(a.data[0]).toBe(9);
  });

  it('truncated data names the file', () => {
    const p = join(tmp, 'truncated-images.gz');
    const raw = gunzipSync(readFileSync(imagesGz));
    writeFileSync(p, gzipSync(raw.subarray(0, raw.length - 100)));
    expect(() => readIdx(p)).toThrow(new RegExp(`${p}.*truncated data`));
  });

  it('a truncated gzip stream is reported as corrupt gzip', () => {
    const p = join(tmp, 'cut.gz');
    const gz = readFileSync(labelsGz);
    writeFileSync(p, gz.subarray(0, gz.length >> 1));
    expect(() => readIdx(p)).toThrow(new RegExp(`${p}.*corrupt gzip`));
  });

  it('bad magic names the file and the expected magic', () => {
    const p = join(tmp, 'bad-magic');
    const raw = Buffer.from(gunzipSync(readFileSync(labelsGz)));
    raw[2] = 0x0d; // float dtype
    writeFileSync(p, raw);
    expect(() => readIdx(p)).toThrow(new RegExp(`${p}: bad magic 0x00000d01.*0x00000801`));
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0]), 'x.idx')).toThrow(/x.idx: truncated header/);
  });

  it('labels file passed as images is rejected', () => {
    expect(() => readIdx(labelsGz, 3)).toThrow(/1 dims, expected 3/);
  });

  it('count mismatch between images and labels', () => {
    const p = join(tmp, 'short-labels');
    const raw = Buffer.from(gunzipSync(readFileSync(labelsGz)));
    raw.writeUInt32BE(9999, 4);
    writeFileSync(p, raw.subarray(0, raw.length - 1));
    expect(() => readIdxPair(imagesGz, p)).toThrow(/count mismatch.*10000 images.*9999 labels/);
  });

  it('missing or empty directory: the error names it and the apt package', () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    expect(() => new FashionMNIST({ root: empty, split: 'train' })).toThrow(new RegExp(`${empty}.*apt-get install dataset-fashion-mnist`));
    const missing = join(tmp, 'nope');
    expect(() => new FashionMNIST({ root: missing, split: 'test' })).toThrow(new RegExp(`${missing}.*apt-get install dataset-fashion-mnist`));
    const partial = join(tmp, 'partial');
    mkdirSync(partial);
    copyFileSync(labelsGz, join(partial, 't10k-labels-idx1-ubyte.gz'));
    expect(() => new FashionMNIST({ root: partial, split: 'test' })).toThrow(/t10k-images-idx3-ubyte.*not found/);
    expect(() => new FashionMNIST({ root: partial, split: 'val' as 'test' })).toThrow(/split/);
  });
});
