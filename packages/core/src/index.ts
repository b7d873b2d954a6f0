export * from './errors.js';
export * from './model.js';
export * from './events.js';
export * from './driver/port.js';
export * from './util/poll.js';
export * from './util/limit.js';
