// A small PNG codec. The decoder (non-interlaced, bit depth 8 or 16, colour types grey / RGB / palette / grey+alpha /
// RGBA) returns RGB uint8 like PIL's `.convert('RGB')` (alpha dropped, grey replicated, 16-bit → high byte); the
// encoder writes 8-bit grey or RGB images.
import { deflateSync, inflateSync } from 'node:zlib';
import { crc32 } from '../core/crc32.js';
import type { Image } from './image.js';

const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function decodePng(buf: Uint8Array, name = 'PNG'): Image {
  if (buf.length < 8 || SIG.some((b, i) => buf[i] !== b)) throw new Error(`${name}: not a PNG file (bad signature)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 8;
  let width = 0, height = 0, depth = 0, ctype = -1, interlace = 0;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  while (off + 8 <= buf.length) {
    const len = view.getUint32(off, false);
    const type = String.fromCharCode(buf[off + 4]!, buf[off + 5]!, buf[off + 6]!, buf[off + 7]!);
    const body = buf.subarray(off + 8, off + 8 + len);
    if (body.length !== len) throw new Error(`${name}: truncated ${type} chunk`);
    // critical chunks (upper-case first letter) must match their CRC, as in libpng and PIL
    if (/^[A-Z]/.test(type) && off + 12 + len <= buf.length) {
      const stored = view.getUint32(off + 8 + len, false);
      const actual = crc32(buf.subarray(off + 4, off + 8 + len));
      if (stored !== actual) {
        throw new Error(`${name}: corrupt PNG: ${type} chunk CRC mismatch (stored 0x${stored.toString(16).padStart(8, '0')}, ` +
          `computed 0x${actual.toString(16).padStart(8, '0')}); expected an intact file`);
      }
    }
    if (type === 'IHDR') {
      width = view.getUint32(off + 8, false);
      height = view.getUint32(off + 12, false);
      depth = body[8]!;
      ctype = body[9]!;
      interlace = body[12]!;
    } else if (type === 'PLTE') palette = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[ctype];
  if (!width || !height || channels === undefined) throw new Error(`${name}: missing or invalid IHDR (colour type ${ctype})`);
  if (interlace !== 0) throw new Error(`${name}: interlaced PNGs are not supported`);
  if (depth !== 8 && depth !== 16) throw new Error(`${name}: bit depth ${depth} is not supported (only 8 and 16)`);
  if (ctype === 3 && (!palette || depth !== 8)) throw new Error(`${name}: palette image without PLTE or with bit depth ${depth}`);
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    throw new Error(`${name}: corrupt image data (${(e as Error).message})`);
  }
  const bpp = (channels * depth) / 8; // bytes per pixel (filter unit)
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) throw new Error(`${name}: truncated image data`);
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[dst + x - bpp]! : 0;
      const b = y > 0 ? px[dst - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? px[dst - stride + x - bpp]! : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (f !== 0) throw new Error(`${name}: bad filter type ${f} on row ${y}`);
      px[dst + x] = (raw[src + x]! + pred) & 255;
    }
  }
  const out = new Uint8Array(width * height * 3);
  const step = depth / 8;
  for (let i = 0; i < width * height; i++) {
    const s = i * bpp;
    if (ctype === 3) {
      const k = px[s]! * 3;
      out[3 * i] = palette![k]!;
      out[3 * i + 1] = palette![k + 1]!;
      out[3 * i + 2] = palette![k + 2]!;
    } else if (ctype === 0 || ctype === 4) {
      out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = px[s]!;
    } else {
      out[3 * i] = px[s]!;
      out[3 * i + 1] = px[s + step]!;
      out[3 * i + 2] = px[s + 2 * step]!;
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
