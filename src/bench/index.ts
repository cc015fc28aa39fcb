export * from './train-step.js';
export { benchConvKernels, type ConvBenchRow } from './conv.js';
export { benchPix, type PixBenchRow, type PixBenchOptions } from './pix.js';
export { benchDgc, type DgcBenchRow, type DgcBenchOptions } from './dgc.js';
