// FLOP, parameter and memory accounting under the counting conventions of the PiX, CHEX and DGC papers.
export * from './ops.js';
export * from './conventions.js';
export * from './contributor.js';
export * from './counter.js';
export * from './formulas.js';
