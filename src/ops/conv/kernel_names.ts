// A convolution with its inference epilogue in one kernel (registered by the webgpu kernels; other backends compose
// the same from stock ops, src/nn/conv_bn.ts). NHWC; filter [KH,KW,IC/groups,OC] (tfjs layout).
// ChanlabConvBnAct: inputs {x: [N,H,W,IC], filter, bias?: [OC], mean?, variance?, gamma?, beta?: [OC] (batch norm with
//   given statistics, all four or none), residual?: y's shape} -> y: [N,OH,OW,OC]
//   y = act(bn(conv(x) + bias) + residual), act 'linear' or 'relu'. Forward only: callers use it when no gradient is
//   recorded (inference).
//   With attrs.pix and input pixP ([N,G] or [N,1,1,G]) the conv's input is pix(x, pixP) (the PiX op, ops/pix),
//   computed as the conv reads it: x is then [N,H,W,C_pix] and the filter's in-channels are G = ceil(C_pix / ζ).
import type { GroupConvPad } from '../group_conv/kernel_names.js';
import type { PixAttrs } from '../pix/kernel_names.js';

export const ChanlabConvBnAct = 'ChanlabConvBnAct';

export const CONV_ACTIVATIONS = ['linear', 'relu'] as const;
export type ConvActivation = (typeof CONV_ACTIVATIONS)[number];

export interface ConvBnActAttrs {
  strides: [number, number];
  pad: GroupConvPad;
  dilations: [number, number];
  groups: number;
  activation: ConvActivation;
  /** batch-norm epsilon (used when mean/variance/gamma/beta are given) */
  eps: number;
  /** the conv's input is pix(x, pixP) with these attributes */
  pix?: Pick<PixAttrs, 'zeta' | 'tau' | 'reduce' | 'avgDivisor'>;
}
