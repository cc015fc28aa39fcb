// The CRC-32 of each member of a zip archive, checked against its central directory (fflate's unzipSync does not
// check stored members, which is how torch.save writes tensors: one flipped bit in a weight would load silently).
import { crc32 } from '../core/crc32.js';

/** Member name → CRC-32 from the central directory (zip64 end records followed). */
function centralCrcs(b: Uint8Array): Map<string, number> {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (v.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  const out = new Map<string, number>();
  if (eocd < 0) return out;
  let offset = v.getUint32(eocd + 16, true);
  let count = v.getUint16(eocd + 10, true);
  if ((offset === 0xffffffff || count === 0xffff) && eocd >= 20 && v.getUint32(eocd - 20, true) === 0x07064b50) {
    const z = Number(v.getBigUint64(eocd - 12, true)); // the zip64 end-of-central-directory record
    if (z + 56 <= b.length && v.getUint32(z, true) === 0x06064b50) {
      count = Number(v.getBigUint64(z + 32, true));
      offset = Number(v.getBigUint64(z + 48, true));
    }
  }
  const names = new TextDecoder();
  for (let i = 0, p = offset; i < count && p + 46 <= b.length && v.getUint32(p, true) === 0x02014b50; i++) {
    const nameLen = v.getUint16(p + 28, true);
    out.set(names.decode(b.subarray(p + 46, p + 46 + nameLen)), v.getUint32(p + 16, true));
    p += 46 + nameLen + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  }
  return out;
}

/** Throws naming the first member whose data does not match its stored CRC-32. */
export function checkZipCrcs(bytes: Uint8Array, files: Record<string, Uint8Array>, what: string): void {
  for (const [name, stored] of centralCrcs(bytes)) {
    const data = files[name];
    if (data === undefined) continue;
    const actual = crc32(data);
    if (actual !== stored) {
      throw new Error(`${what}: corrupt zip archive: member '${name}' fails its CRC-32 check (stored 0x${stored.toString(16).padStart(8, '0')}, ` +
        `computed 0x${actual.toString(16).padStart(8, '0')}); the file was damaged after it was written — download or copy it again`);
    }
  }
}
