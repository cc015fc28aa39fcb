export * from './select.js';
export { loadWebGPU, releaseWebGPU } from './webgpu.js';
