export * from './media-types.js';
export * from './types.js';
export * from './layer.js';
export * from './image.js';
export * from './shape.js';
