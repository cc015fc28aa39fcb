export * from './train_step.js';
export { benchConvKernels, type ConvBenchRow } from './conv.js';
export { benchPix, type PixBenchRow, type PixBenchOptions } from './pix.js';
export { benchDgc, benchDgcModels, dgcModelCases, type DgcBenchRow, type DgcBenchOptions, type DgcModelBenchRow } from './dgc.js';
