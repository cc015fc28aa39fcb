export * from './colormap.js';
export * from './gradcam.js';
export * from './layers.js';
export * from './overlay.js';
export * from './pix_probabilities.js';
