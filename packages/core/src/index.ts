export * from './errors.js';
export * from './digest.js';
export * from './reference.js';
export * from './logger.js';
export * from './duration.js';
export * from './text.js';
export * from './suggest.js';
export * from './user-file.js';
