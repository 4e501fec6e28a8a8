export { cleanPath } from './clean.js';
export { goMatch, goMatchRegExp, hasGlob } from './go-match.js';
export { Pattern, PatternMatcher } from './patterns.js';
export { parseDockerignore, makeIgnore, loadIgnore, noIgnore, type Ignore } from './dockerignore.js';
export { walkContext, walkContextSync, type ContextEntry, type EntryType, type WalkOptions } from './walk.js';
export { resolveSource, followInRoot, type ResolvedSource, type ResolveOptions } from './resolve.js';
export { contextFingerprint } from './fingerprint.js';
