// Perceptual colormaps for heat maps: turbo (Google's polynomial approximation, Mikhailov 2019) and viridis
// (matplotlib's, by its 10 evenly spaced stops, linearly interpolated). v in [0,1] → RGB bytes.

export type ColormapName = 'turbo' | 'viridis';
export const COLORMAPS: readonly ColormapName[] = ['turbo', 'viridis'];

const TURBO = [
  [0.13572138, 4.6153926, -42.66032258, 132.13108234, -152.94239396, 59.28637943],
  [0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604],
  [0.1066733, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973],
] as const;

const VIRIDIS = [
  0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725,
] as const;

/** 256-entry RGB lookup table [256·3] of a named colormap. */
export function colormapTable(name: ColormapName): Uint8Array {
  if (!COLORMAPS.includes(name)) throw new Error(`colormap: expected one of ${COLORMAPS.join(', ')}, got '${String(name)}'`);
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const v = i / 255;
    for (let c = 0; c < 3; c++) lut[3 * i + c] = Math.round(255 * clamp01(name === 'turbo' ? turbo(v, c) : viridis(v, c)));
  }
  return lut;
}

function turbo(v: number, c: number): number {
  const k = TURBO[c]!;
  return k[0] + v * (k[1] + v * (k[2] + v * (k[3] + v * (k[4] + v * k[5]))));
}

function viridis(v: number, c: number): number {
  const pos = v * (VIRIDIS.length - 1);
  const i = Math.min(Math.floor(pos), VIRIDIS.length - 2);
  const f = pos - i;
  const byte = (hex: number) => (hex >> (8 * (2 - c))) & 255;
  return (byte(VIRIDIS[i]!) * (1 - f) + byte(VIRIDIS[i + 1]!) * f) / 255;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
