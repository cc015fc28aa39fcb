// Training: optimisers, schedules, losses, EMA, the train loop (checkpoints: src/checkpoint), presets and CLI entry points.
export * from './optim.js';
export * from './schedule.js';
export * from './loss.js';
export * from './ema.js';
export * from './config.js';
export * from './data.js';
export * from './evaluate.js';
export * from './manifest.js';
export * from './progress.js';
export * from './loop.js';
export { RunStopped, DivergedError, InterruptedError } from './stop.js';
export * from './commands.js';
