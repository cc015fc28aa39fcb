// The geometry every webgpu convolution kernel reads (forward, input gradient, filter gradient, grouped or not):
// NHWC x [N,H,W,IC], filter [KH,KW,IC/groups,OC] (tfjs layout; output channel o in group floor(o / (OC/groups))),
// y [N,OH,OW,OC]; padding resolved by tfjs's own rules (computeConv2DInfo), so 'same', 'valid', a number and explicit
// pads mean what they mean for tf.conv2d.
import { backend_util } from '@tensorflow/tfjs-core';

type Shape4 = [number, number, number, number];
export type ConvPad = 'same' | 'valid' | number | backend_util.ExplicitPadding;

export interface ConvDims {
  N: number; H: number; W: number; IC: number;
  OH: number; OW: number; OC: number;
  KH: number; KW: number;
  sh: number; sw: number; dh: number; dw: number;
  /** top and left padding */
  pt: number; pl: number;
  groups: number; ICg: number; OCg: number;
}

export interface ConvGeometryAttrs {
  strides: number | [number, number];
  pad: ConvPad;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  groups?: number;
}

/** The dims of a conv of x (shape) with filter (shape); `kernelName` names the caller in errors. */
export function convDims(kernelName: string, xShape: readonly number[], filterShape: readonly number[], a: ConvGeometryAttrs): ConvDims {
  const groups = a.groups ?? 1;
  const IC = xShape[3]!;
  const [, , ICg, OC] = filterShape as Shape4;
  if (xShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`${kernelName}: expected x [N,H,W,C] and filter [KH,KW,C/groups,OC], got [${xShape}] and [${filterShape}]`);
  }
  if (!Number.isInteger(groups) || groups < 1 || IC % groups !== 0 || OC % groups !== 0 || ICg * groups !== IC) {
    throw new Error(`${kernelName}: groups must divide the in (${IC}) and out (${OC}) channels with filter in-channels = ` +
      `in / groups (${ICg}), got ${groups}`);
  }
  const info = backend_util.computeConv2DInfo(xShape as Shape4, filterShape as Shape4, a.strides, a.dilations ?? 1, a.pad,
    a.dimRoundingMode);
  return {
    N: info.batchSize, H: info.inHeight, W: info.inWidth, IC,
    OH: info.outHeight, OW: info.outWidth, OC,
    KH: info.filterHeight, KW: info.filterWidth,
    sh: info.strideHeight, sw: info.strideWidth, dh: info.dilationHeight, dw: info.dilationWidth,
    pt: info.padInfo.top, pl: info.padInfo.left,
    groups, ICg, OCg: OC / groups,
  };
}

/** Whether the conv is a plain GEMM over pixels (1×1, stride 1, no padding): x [N·H·W, IC] · w [IC, OC]. */
export function isPointwise(d: ConvDims): boolean {
  return d.KH === 1 && d.KW === 1 && d.sh === 1 && d.sw === 1 && d.pt === 0 && d.pl === 0 && d.OH === d.H && d.OW === d.W;
}

const NAMES = ['H', 'W', 'IC', 'OH', 'OW', 'OC', 'KW', 'sh', 'sw', 'dh', 'dw', 'pt', 'pl', 'ICg', 'OCg'] as const;

/** The conv uniforms the loaders read (after the GEMM's). */
export function convUniforms(d: ConvDims): Array<{ name: string; type: 'i32'; value: number }> {
  return NAMES.map((name) => ({ name, type: 'i32' as const, value: d[name] }));
}

/** A key of everything in the dims that changes the WGSL (only the pointwise specialisation does). */
export function dimsKey(d: ConvDims): string {
  return isPointwise(d) ? 'pw' : 'gen';
}
