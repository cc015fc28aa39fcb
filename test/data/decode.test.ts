// Image decoding against Pillow (what torchvision's ImageFolder loader returns: Image.open(f).convert('RGB')) on the
// files scripts/fixtures/make_image_fixtures.py makes from real photos: every JPEG and PNG kind the data pipeline must
// handle. Natively (libjpeg-turbo + libpng in the addon) no value may differ; without the addon (the pure-wasm
// project, CHANLAB_NATIVE=0) PNGs must still be exact and jpeg-js's JPEG differences stay within what docs/data.md
// states. Then bad files: verify() and decoding (also in worker threads) name the file and its dataset index.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, imageDecoderName } from '../../src/data/decode.js';
import { ImageFolder } from '../../src/data/image_folder.js';
import { DataLoader } from '../../src/data/loader.js';
import { imagenetEvalTransform } from '../../src/data/presets.js';

const dir = mkdtempSync(join(tmpdir(), 'chanlab-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
execFileSync('/usr/bin/python3', ['scripts/fixtures/make_image_fixtures.py', 'decode', dir]);
const files = JSON.parse(execFileSync('/usr/bin/python3', ['test/data/decode_oracle.py', dir], { encoding: 'utf8' })) as
  Array<{ file: string; what: string; h: number; w: number }>;
const native = imageDecoderName().startsWith('native');

describe('decoding against Pillow', () => {
  it('the fixture script makes ≥ 20 files of every kind the pipeline must handle', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    const kinds = files.map((f) => f.what).join(' | ');
    for (const k of ['4:4:4', '4:2:2', '4:2:0', 'progressive', 'grayscale JPEG', 'CMYK', 'YCCK', 'optimised Huffman', 'restart', 'odd size', 'PNG palette', 'RGBA', '16-bit', 'tRNS', 'interlaced']) {
      expect(kinds, k).toContain(k);
    }
  });

  it('the native decoder is built where CI requires the addon', () => {
    // CI installs libjpeg62-turbo-dev and libpng-dev (scripts/setup-system.sh): a silent fallback to jpeg-js must fail there
    if (process.env.CHANLAB_NATIVE_REQUIRED === '1' && process.env.CHANLAB_NATIVE !== '0') expect(imageDecoderName()).toMatch(/^native/);
    if (process.env.CHANLAB_NATIVE === '0') expect(native).toBe(false);
  });

  for (const f of files) {
    it(`${f.file} (${f.what})`, () => {
      const want = readFileSync(join(dir, `${f.file}.rgb`));
      const bytes = readFileSync(join(dir, f.file));
      if (!native && f.file === 'arithmetic.jpg') {
        expect(() => decodeImage(bytes, f.file)).toThrow(/arithmetic.jpg: cannot decode JPEG \(unknown JPEG marker ffc9\)/);
        return;
      }
      const img = decodeImage(bytes, f.file);
      expect([img.height, img.width, img.channels]).toEqual([f.h, f.w, 3]);
      let differ = 0;
      let max = 0;
      let sum = 0;
      for (let i = 0; i < want.length; i++) {
        const d = Math.abs(img.data[i]! - want[i]!);
        if (d > 0) differ++;
        max = Math.max(max, d);
        sum += d;
      }
      if (native || f.file.endsWith('.png')) {
        expect(differ, `${differ} of ${want.length} values differ (max ${max})`).toBe(0);
      } else if (f.file === 'rgb_colorspace.jpg') {
        expect(max).toBeGreaterThan(100); // jpeg-js applies a YCbCr transform to RGB-stored JPEGs (docs/data.md)
      } else {
        // jpeg-js's IDCT and chroma upsampling (docs/data.md): at most 34 levels, under 1.5 on average
        expect(max, 'max |Δ|').toBeLessThanOrEqual(34);
        expect(sum / want.length, 'mean |Δ|').toBeLessThan(1.5);
      }
    });
  }
});

describe('bad files: an error naming the file and its dataset index', () => {
  const good = readFileSync(join(dir, 'odd_333x221_420.jpg'));
  const jpeg = readFileSync(join(dir, '420_q85.jpg'));
  const png = Buffer.from(readFileSync(join(dir, 'rgb_interlaced.png')));
  png[60] ^= 0xff; // inside the IDAT data: its CRC no longer matches
  const cases: Array<{ name: string; bytes: Buffer | null; verify: RegExp; decode: RegExp }> = [
    { name: 'empty.jpg', bytes: Buffer.alloc(0), verify: /is empty \(0 bytes\)/, decode: /empty file \(0 bytes\)/ },
    { name: 'truncated.jpg', bytes: jpeg.subarray(0, jpeg.length >> 1), verify: /is truncated or corrupt \(no JPEG end marker/, decode: /cannot decode JPEG/ },
    { name: 'text.jpg', bytes: Buffer.from('this is a text file, not a photo\n'), verify: /is not a JPEG or PNG file/, decode: /not a JPEG or PNG file/ },
    { name: 'badcrc.png', bytes: png, verify: /corrupt PNG: IDAT chunk CRC mismatch/, decode: /CRC|cannot decode PNG/ },
    { name: 'gone.jpg', bytes: null, verify: /cannot be read \(ENOENT\)/, decode: /cannot be read \(ENOENT\)/ },
  ];
  for (const c of cases) {
    it(`${c.name}: verify(), get() and the worker threads`, async () => {
      const root = join(dir, `bad-${c.name}`);
      mkdirSync(join(root, 'a'), { recursive: true });
      writeFileSync(join(root, 'a', '0.jpg'), good);
      writeFileSync(join(root, 'a', c.name), c.bytes ?? good);
      const ds = new ImageFolder({ root });
      if (c.bytes === null) unlinkSync(join(root, 'a', c.name)); // removed after listing (unreadable; root reads any mode)
      const where = new RegExp(`${join(root, 'a', c.name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(index 1\\)`);
      const verify = ds.verify().then(() => 'passed', (e: Error) => e.message);
      expect(await verify).toMatch(where);
      expect(await verify).toMatch(c.verify);
      await expect(ds.get(1)).rejects.toThrow(where);
      await expect(ds.get(1)).rejects.toThrow(c.decode);
      await ds.get(0); // the good file still decodes
      const loader = new DataLoader({ dataset: ds, batchSize: 2, transform: imagenetEvalTransform({ size: 32 }), workers: 2 });
      try {
        const batch = loader.batchAt(0, 0).then(() => 'loaded', (e: Error) => e.message);
        expect(await batch).toMatch(where);
        expect(await batch).toMatch(c.decode);
      } finally {
        await loader.close();
      }
    });
  }

  it('copies of a good file pass verify()', async () => {
    const root = join(dir, 'good');
    mkdirSync(join(root, 'b'), { recursive: true });
    for (const f of ['444_q95.jpg', 'gray.png', 'palette.png', 'rgba_16bit.png']) copyFileSync(join(dir, f), join(root, 'b', f));
    await new ImageFolder({ root }).verify();
  });
});
