export * from './types.js';
export { checkStructure } from './structure.js';
export { holdTestImage, runCommandTest, runSmokeTest } from './container.js';
