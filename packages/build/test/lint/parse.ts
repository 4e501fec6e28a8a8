// Dockerfile text → AST for the lint tests: always the real parser (a stand-in once hid a broken one).
import { parseDockerfile } from '../../src/dockerfile/index.js';
import type { Dockerfile } from '../../src/dockerfile/types.js';

export const parse = (text: string, file = 'Dockerfile'): Dockerfile => parseDockerfile(text, file);
