// A small PNG codec. The decoder reads every PNG (colour types grey / RGB / palette / grey+alpha / RGBA, bit depths
// 1–16, Adam7 interlacing) and returns RGB uint8 with the pixels Pillow 9.4's `Image.open(f).convert('RGB')` gives:
// alpha and tRNS dropped, grey replicated (1/2/4-bit grey scaled to 0..255), 16-bit samples → their high byte except
// 16-bit grey (Pillow's mode I), which is clipped to 255; palette entries past PLTE are Pillow's initial grey ramp.
// A chunk with a bad CRC is an error (as in the native decoder). The encoder writes 8-bit grey or RGB images.
import { deflateSync, inflateSync } from 'node:zlib';
import { crc32 } from '../core/crc32.js';
import type { Image } from './image.js';

const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
// Adam7 passes: x0, y0, dx, dy
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

interface Header {
  width: number;
  height: number;
  depth: number;
  ctype: number;
  interlace: number;
}

/** Walks the chunks up to IEND, checking lengths and CRCs; returns IHDR, PLTE and the joined IDAT data. */
function readChunks(buf: Uint8Array, name: string): { h: Header; palette: Uint8Array | null; idat: Uint8Array } {
  if (buf.length < 8 || SIG.some((b, i) => buf[i] !== b)) throw new Error(`${name}: not a PNG file (bad signature)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let h: Header | null = null;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let off = 8;
  let ended = false;
  while (off + 8 <= buf.length) {
    const len = view.getUint32(off, false);
    const type = String.fromCharCode(buf[off + 4]!, buf[off + 5]!, buf[off + 6]!, buf[off + 7]!);
    if (off + 12 + len > buf.length) throw new Error(`${name}: truncated ${type} chunk`);
    const body = buf.subarray(off + 8, off + 8 + len);
    const stored = view.getUint32(off + 8 + len, false);
    const actual = crc32(buf.subarray(off + 4, off + 8 + len));
    if (stored !== actual) {
      throw new Error(`${name}: corrupt PNG: ${type} chunk CRC mismatch (stored 0x${stored.toString(16).padStart(8, '0')}, ` +
        `computed 0x${actual.toString(16).padStart(8, '0')}); expected an intact file`);
    }
    if (type === 'IHDR') {
      h = { width: view.getUint32(off + 8, false), height: view.getUint32(off + 12, false), depth: body[8]!, ctype: body[9]!, interlace: body[12]! };
    } else if (type === 'PLTE') palette = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    off += 12 + len;
  }
  if (!h || !h.width || !h.height || CHANNELS[h.ctype] === undefined) throw new Error(`${name}: missing or invalid IHDR (colour type ${h?.ctype})`);
  if (!DEPTHS[h.ctype]!.includes(h.depth)) throw new Error(`${name}: bit depth ${h.depth} is invalid for colour type ${h.ctype}`);
  if (h.interlace > 1) throw new Error(`${name}: unknown interlace method ${h.interlace}`);
  if (h.ctype === 3 && !palette) throw new Error(`${name}: palette image without a PLTE chunk`);
  if (!ended) throw new Error(`${name}: truncated file (no IEND chunk)`);
  return { h, palette, idat: Buffer.concat(idat) };
}

/** Checks a PNG file's structure without decoding it: signature, IHDR, chunk lengths and CRCs, IEND. */
export function checkPngChunks(buf: Uint8Array, name: string): void {
  readChunks(buf, name);
}

/** Undoes the row filters of one (sub-)image in place: `raw` holds rows of 1 filter byte + `stride` bytes. */
function unfilter(raw: Uint8Array, off: number, rows: number, stride: number, bpp: number, name: string): Uint8Array {
  const px = new Uint8Array(rows * stride);
  for (let y = 0; y < rows; y++) {
    const f = raw[off + y * (stride + 1)]!;
    const src = off + y * (stride + 1) + 1;
    const dst = y * stride;
    if (f > 4) throw new Error(`${name}: bad filter type ${f} on row ${y}`);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[dst + x - bpp]! : 0;
      const b = y > 0 ? px[dst - stride + x]! : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const c = x >= bpp && y > 0 ? px[dst - stride + x - bpp]! : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[dst + x] = (raw[src + x]! + pred) & 255;
    }
  }
  return px;
}

export function decodePng(buf: Uint8Array, name = 'PNG'): Image {
  const { h, palette, idat } = readChunks(buf, name);
  const { width, height, depth, ctype } = h;
  let raw: Uint8Array;
  try {
    raw = inflateSync(idat);
  } catch (e) {
    throw new Error(`${name}: corrupt image data (${(e as Error).message})`);
  }
  const ch = CHANNELS[ctype]!;
  const bitsPer = ch * depth;
  const bpp = Math.max(1, bitsPer >> 3); // filter unit in bytes
  const out = new Uint8Array(width * height * 3);
  // the RGB value of a pixel given its samples (integers at the stored depth)
  const lut = new Uint8Array(768);
  for (let i = 0; i < 256; i++) lut[3 * i] = lut[3 * i + 1] = lut[3 * i + 2] = i;
  if (palette) lut.set(palette.subarray(0, Math.min(palette.length - (palette.length % 3), 768)));
  const greyScale = depth === 1 ? 255 : depth === 2 ? 85 : depth === 4 ? 17 : 1;
  const sample = (px: Uint8Array, rowOff: number, x: number, k: number): number => {
    if (depth === 16) return (px[rowOff + (x * ch + k) * 2]! << 8) | px[rowOff + (x * ch + k) * 2 + 1]!;
    if (depth === 8) return px[rowOff + x * ch + k]!;
    const bit = x * depth; // sub-byte depths have one sample per pixel
    return (px[rowOff + (bit >> 3)]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
  };
  const high = (v: number) => (depth === 16 ? v >> 8 : v);
  const put = (px: Uint8Array, rowOff: number, x: number, o: number) => {
    if (ctype === 3) {
      const k = 3 * sample(px, rowOff, x, 0);
      out[o] = lut[k]!;
      out[o + 1] = lut[k + 1]!;
      out[o + 2] = lut[k + 2]!;
    } else if (ctype === 0 || ctype === 4) {
      const v = sample(px, rowOff, x, 0);
      out[o] = out[o + 1] = out[o + 2] = ctype === 0 && depth === 16 ? Math.min(v, 255) : high(v) * greyScale;
    } else {
      out[o] = high(sample(px, rowOff, x, 0));
      out[o + 1] = high(sample(px, rowOff, x, 1));
      out[o + 2] = high(sample(px, rowOff, x, 2));
    }
  };
  const passes = h.interlace === 1 ? ADAM7 : [[0, 0, 1, 1]] as const;
  let off = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const stride = Math.ceil((pw * bitsPer) / 8);
    if (raw.length < off + ph * (stride + 1)) throw new Error(`${name}: truncated image data`);
    const px = unfilter(raw, off, ph, stride, bpp, name);
    off += ph * (stride + 1);
    for (let y = 0; y < ph; y++) {
      for (let x = 0; x < pw; x++) put(px, y * stride, x, ((y0 + y * dy) * width + x0 + x * dx) * 3);
    }
  }
  return { data: out, height, width, channels: 3 };
}

/** Encodes a uint8 image with 1 (grey) or 3 (RGB) channels as PNG bytes (filter 0 rows, zlib level 6). */
export function encodePng(img: Image): Uint8Array {
  const { width, height, channels, data } = img;
  if (!(data instanceof Uint8Array)) throw new Error('encodePng: image data must be uint8 (0..255)');
  if (channels !== 1 && channels !== 3) throw new Error(`encodePng: channels must be 1 or 3, got ${channels}`);
  if (data.length !== width * height * channels) throw new Error(`encodePng: expected ${width * height * channels} bytes, got ${data.length}`);
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width, false);
  v.setUint32(4, height, false);
  ihdr[8] = 8;
  ihdr[9] = channels === 3 ? 2 : 0;
  const parts = [Uint8Array.from(SIG), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 6 })), chunk('IEND', new Uint8Array(0))];
  return Buffer.concat(parts);
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, body.length, false);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  v.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)), false);
  return out;
}
