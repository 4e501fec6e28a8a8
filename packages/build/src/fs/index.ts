export { resolveInRoot, resolveParentInRoot, onDisk, RootLinkLoopError, type RootLookup, type RootNode } from './in-root.js';
export { diskLookup } from './disk-lookup.js';
export { writeAtomic } from './atomic.js';
