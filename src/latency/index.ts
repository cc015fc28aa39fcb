export * from './latency.js';
export * from './profile.js';
