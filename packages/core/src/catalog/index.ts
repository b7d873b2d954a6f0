export * from '../records/catalog.js';
export * from './range.js';
export * from './filter.js';
export * from './staleness.js';
export * from './latency-csv.js';
export * from './service.js';
