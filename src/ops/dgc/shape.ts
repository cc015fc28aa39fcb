// Shapes of the fused DGC head convolution and their checks (every error names the parameter and what it expects).
import type { DgcHeadsAttrs } from './kernel_names.js';

export interface DgcHeadsDims {
  B: number; H: number; W: number; C: number;
  /** heads */
  h: number;
  /** kernel size */
  k: number;
  /** output channels C' and per head C'/h */
  Co: number; cph: number;
  Ho: number; Wo: number;
}

type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

/** The conv attributes every head shares, as tfjs's Conv2D kernels take them. */
export function headConvAttrs(attrs: DgcHeadsAttrs): { strides: [number, number]; pad: 'valid' | Pad4; dataFormat: 'NHWC'; dilations: [number, number] } {
  const p = attrs.padding;
  return {
    strides: [attrs.stride, attrs.stride],
    pad: p === 0 ? 'valid' : [[0, 0], [p, p], [p, p], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
  };
}

export function dgcHeadsDims(aShape: readonly number[], gShape: readonly number[], wShape: readonly number[], attrs: DgcHeadsAttrs): DgcHeadsDims {
  if (aShape.length !== 4) throw new Error(`dgcHeads: a must be NHWC [B,H,W,C], got shape [${aShape.join(',')}]`);
  const [B, H, W, C] = aShape as [number, number, number, number];
  const h = attrs.heads;
  if (gShape.length !== 3 || gShape[0] !== h || gShape[1] !== B || gShape[2] !== C) {
    throw new Error(`dgcHeads: g must have shape [heads, B, C] = [${h},${B},${C}], got [${gShape.join(',')}]`);
  }
  if (wShape.length !== 4 || wShape[0] !== wShape[1] || wShape[2] !== C) {
    throw new Error(`dgcHeads: w must have shape [k, k, C=${C}, C'], got [${wShape.join(',')}]`);
  }
  const [k, , , Co] = wShape as [number, number, number, number];
  if (Co % h !== 0) throw new Error(`dgcHeads: heads (${h}) must divide the output channels of w (${Co})`);
  // computeConv2DInfo's output size for symmetric explicit padding, without building its info object (this runs on
  // every forward of every DGC layer)
  const Ho = Math.floor((H + 2 * attrs.padding - k) / attrs.stride) + 1;
  const Wo = Math.floor((W + 2 * attrs.padding - k) / attrs.stride) + 1;
  if (!(Ho >= 1 && Wo >= 1)) throw new Error(`dgcHeads: a kernel of ${k}×${k} with padding ${attrs.padding} does not fit the input ${H}×${W}`);
  return { B, H, W, C, h, k, Co, cph: Co / h, Ho, Wo };
}
