export * from './types.js';
export { checkStructure } from './structure.js';
export { runCommandTest, runSmokeTest } from './container.js';
