export * from './spec.js';
export * from './oci-layout.js';
export * from './docker-archive.js';
