// The image type the data pipeline passes around: one HWC image (channels last), uint8 (0..255) or float32.
// Datasets yield uint8 images; `toFloat` turns them into float32 in [0, 1] as torchvision's ToTensor does.

export type Pixels = Uint8Array | Float32Array;

export interface Image {
  /** HWC, row-major: data[(y * width + x) * channels + c] */
  data: Pixels;
  height: number;
  width: number;
  channels: number;
}

export function makeImage(data: Pixels, height: number, width: number, channels: number): Image {
  for (const [name, v] of [['height', height], ['width', width], ['channels', channels]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`image ${name}: expected a positive integer, got ${v}`);
  }
  if (data.length !== height * width * channels) {
    throw new Error(`image data: expected ${height}×${width}×${channels} = ${height * width * channels} values, got ${data.length}`);
  }
  return { data, height, width, channels };
}

/** A new, zero-filled image of the same dtype as `like`. */
export function emptyLike(like: Pixels, height: number, width: number, channels: number): Image {
  const n = height * width * channels;
  const data = like instanceof Uint8Array ? new Uint8Array(n) : new Float32Array(n);
  return { data, height, width, channels };
}

/** Python 3's round(): round half to even (what torchvision's `int(round(x))` does). */
export function pyRound(x: number): number {
  const r = Math.round(x);
  // Math.round rounds .5 up; Python rounds .5 to the even neighbour.
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}
