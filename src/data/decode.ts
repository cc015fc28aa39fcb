// Image file decoding for the data pipeline: JPEG or PNG bytes → RGB uint8 HWC, the pixels torchvision's loader
// (Pillow's `Image.open(f).convert('RGB')`) gives.
//  - native (chanlab's addon built with libjpeg-turbo and libpng, native/src/image_decode.cc, the libraries Debian's
//    Pillow links): identical to Pillow for every JPEG and PNG kind the decoding test covers (test/data/decode.test.ts);
//  - fallback without the addon (or without its image decoder): jpeg-js for JPEG — not Pillow's IDCT and chroma
//    upsampling, so pixels differ (docs/data.md lists by how much) — and ./png.ts for PNG, which is exact.
import { readFile } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import { nativeAddon, nativeStatus, type NativeAddon } from '../kernels/native/addon.js';
import type { Image } from './image.js';
import { decodePng } from './png.js';

/** The addon, if it has the image decoder (not: CHANLAB_NATIVE=0, not built, or built without libjpeg/libpng). */
function nativeDecoder(): Required<Pick<NativeAddon, 'imageSize' | 'decodeImage'>> | null {
  const a = nativeAddon();
  return a?.imageSize && a.decodeImage ? (a as Required<NativeAddon>) : null;
}

/** Which decoder decodeImage uses, in words. */
export function imageDecoderName(): string {
  if (nativeDecoder()) return 'native (libjpeg-turbo + libpng, Pillow-exact)';
  const why = nativeAddon() ? 'the addon was built without libjpeg/libpng headers' : nativeStatus().reason;
  return `jpeg-js + chanlab's PNG decoder (JPEG pixels differ from Pillow's; ${why})`;
}

/** A PNG file's first bytes (8 needed): the signature 89 'PNG'. The one image sniffer, with isJpeg. */
export const isPng = (b: Uint8Array) => b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
/** A JPEG file's first bytes (3 needed): SOI FF D8 and a marker FF. */
export const isJpeg = (b: Uint8Array) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Decodes a JPEG or PNG file's bytes to RGB uint8 HWC; errors name the file (`name`). */
export function decodeImage(bytes: Uint8Array, name: string): Image {
  if (!isPng(bytes) && !isJpeg(bytes)) {
    throw new Error(`${name}: ${bytes.length === 0 ? 'empty file (0 bytes)' : 'not a JPEG or PNG file'}; expected a JPEG or PNG image`);
  }
  const native = nativeDecoder();
  if (native) {
    const size = new Int32Array(2);
    try {
      native.imageSize(bytes, size);
      const data = new Uint8Array(size[0]! * size[1]! * 3);
      native.decodeImage(bytes, data);
      return { data, height: size[0]!, width: size[1]!, channels: 3 };
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message.replace(/^chanlab native: \w+: /, '')}`);
    }
  }
  if (isPng(bytes)) return decodePng(bytes, name);
  try {
    const d = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
    return { data: d.data, height: d.height, width: d.width, channels: 3 };
  } catch (e) {
    throw new Error(`${name}: cannot decode JPEG (${(e as Error).message})`);
  }
}

/** The error for a file that cannot be opened or read (missing, no permission, a directory, an I/O error). */
export function unreadable(name: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  return new Error(`${name} cannot be read (${code ?? (e as Error).message}); expected a readable image file`);
}

/** A file's bytes; errors name the file (`name`). */
export async function readImageFile(path: string, name: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw unreadable(name, e);
  }
}
