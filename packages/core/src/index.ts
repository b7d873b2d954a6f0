export * from './errors.js';
export * from './model.js';
export * from './events.js';
export * from './driver/port.js';
