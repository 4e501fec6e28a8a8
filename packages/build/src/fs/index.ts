export { resolveInRoot, resolveParentInRoot, onDisk, RootLinkLoopError, RootEscapeError, type RootLookup, type RootNode } from './in-root.js';
export { diskLookup } from './disk-lookup.js';
export { writeAtomic } from './atomic.js';
export { FsIndex, indexPath, type IndexEntry, type IndexRecord } from './image-index.js';
export { FsView, FsViewError } from './view.js';
