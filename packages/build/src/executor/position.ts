import { PipelineError, type SourcePosition } from '@pipeline/core';

/**
 * An error from a Dockerfile line names that line: a pipeline error raised without a position
 * (an invalid reference, a registry answer) gets the line's; other errors pass unchanged.
 */
export function atLine(e: unknown, position: SourcePosition): unknown {
  if (!(e instanceof PipelineError) || e.position?.line !== undefined) return e;
  const positioned = new PipelineError(e.kind, e.message, { exitCode: e.exitCode, hint: e.hint, position, cause: e });
  positioned.name = e.name;
  return positioned;
}
