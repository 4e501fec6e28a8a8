export * from './info.js';
export * from './tags.js';
export * from './labels.js';
export * from './history.js';
