// A convolution with its inference epilogue in one kernel (registered by the webgpu kernels; other backends compose
// the same from stock ops, src/nn/conv_bn.ts). NHWC; filter [KH,KW,IC/groups,OC] (tfjs layout).
// ChanlabConvBnAct: inputs {x: [N,H,W,IC], filter, bias?: [OC], mean?, variance?, gamma?, beta?: [OC] (batch norm with
//   given statistics, all four or none), residual?: y's shape} -> y: [N,OH,OW,OC]
//   y = act(bn(conv(x) + bias) + residual), act 'linear' or 'relu'. Forward only: callers use it when no gradient is
//   recorded (inference).
import type { GroupConvPad } from '../group_conv/kernel_names.js';

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
}
