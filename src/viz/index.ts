export * from './cam_compare.js';
export * from './colormap.js';
export * from './gradcam.js';
export * from './layers.js';
export * from './notebook.js';
export * from './overlay.js';
export * from './pix_probabilities.js';
export * from './plot/index.js';
