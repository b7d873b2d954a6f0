export * from './state-store.js';
export * from './sqlite-store.js';
