export * from './engine.js';
export * from './geo.js';
export * from './latency.js';
export * from './weights.js';
export * from './performance.js';
export * from './service.js';
