// Optional kernels for grouped convolution in one call (registered by the native addon for the wasm backend; other
// backends split the channels into groups and concatenate, src/nn/conv.ts). NHWC; filter [KH, KW, IC/G, OC] with
// output channel o in group floor(o / (OC/G)) (PyTorch's grouping).
// ChanlabGroupConv2D:               inputs {x: [N,H,W,IC], filter}                  -> y: [N,OH,OW,OC]
// ChanlabGroupConv2DBackpropInput:  inputs {dy: y's shape, filter}, attrs + inputShape -> dx: x's shape
// ChanlabGroupConv2DBackpropFilter: inputs {x, dy}, attrs + filterShape            -> dw: filter's shape
// attrs: strides [sh, sw], pad ('valid' or explicit [[0,0],[top,bottom],[left,right],[0,0]]), dilations [dh, dw],
// groups.
export const ChanlabGroupConv2D = 'ChanlabGroupConv2D';
export const ChanlabGroupConv2DBackpropInput = 'ChanlabGroupConv2DBackpropInput';
export const ChanlabGroupConv2DBackpropFilter = 'ChanlabGroupConv2DBackpropFilter';

export type GroupConvPad = 'valid' | [[number, number], [number, number], [number, number], [number, number]];

export interface GroupConvAttrs {
  strides: [number, number];
  pad: GroupConvPad;
  dilations: [number, number];
  groups: number;
}
