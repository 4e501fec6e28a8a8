export * from './errors.js';
export * from './digest.js';
export * from './reference.js';
export * from './logger.js';
export * from './duration.js';
