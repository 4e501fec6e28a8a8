import { ContextError, readUserFile, USER_FILE_MAX } from '@pipeline/core';

const HINTS = {
  missing: 'Expected a Dockerfile in the context, or --file PATH',
  directory: 'Expected the Dockerfile itself: --file DIR/Dockerfile',
  'too-big': `a Dockerfile over ${USER_FILE_MAX / 1048576} MiB is not one a person wrote; check --file`,
  unreadable: undefined,
} as const;

/** Reads a Dockerfile for parsing: missing, a directory or over the size cap is a ContextError (exit 2). */
export function readDockerfile(file: string): Promise<string> {
  return readUserFile(file, { what: 'Dockerfile', error: (message, position, problem) => new ContextError(message, position, HINTS[problem]) });
}
