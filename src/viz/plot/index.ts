export * from './cam_grid.js';
export * from './charts.js';
export * from './figure.js';
export * from './html.js';
export * from './panels.js';
export * from './result_figures.js';
export * from './render.js';
