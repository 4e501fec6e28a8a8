export { loadConfig, parseConfig, CONFIG_FILE, type LoadOptions } from './load.js';
export { parentsOf, findCycle, topoOrder, childrenOf, affected, depths, chainOf, imagesForPaths, type Parents } from './graph.js';
export { MAX_CHAIN } from './schema/images.js';
export { PLACEHOLDERS } from './schema/tags.js';
export { parseSize } from './units.js';
export type { ConfigWarning } from './kit.js';
export type * from './types.js';
