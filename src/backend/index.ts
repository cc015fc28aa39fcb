export * from './select.js';
export { loadWebGPU, releaseWebGPU, webgpuErrors } from './webgpu.js';
