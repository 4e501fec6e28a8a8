export * from './types.js';
export { parseDockerfile } from './parse.js';
export { expandWord, expandWords, type ExpandOptions } from './lex.js';
export { stageFor } from './stage.js';
export { KEYWORDS } from './instructions.js';
export { readDockerfile } from './read.js';
