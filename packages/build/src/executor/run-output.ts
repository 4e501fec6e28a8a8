import { PipelineError, type Logger, type SourcePosition } from '@pipeline/core';
import type { RunInstruction } from '../dockerfile/types.js';

const TAIL = 10;

/**
 * A RUN step's output as it comes: each line logged at once (`  │ line`), only the last few kept
 * for the error (a step may print megabytes; none of it is held).
 */
export class StepOutput {
  private partial = '';
  private readonly last: string[] = [];

  constructor(private readonly logger: Logger) {}

  write(chunk: Buffer | string): void {
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.line(l);
  }

  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  get tail(): string[] {
    return [...this.last];
  }

  private line(raw: string): void {
    const l = raw.replace(/\r$/, '');
    if (!l) return;
    this.logger.info(`  │ ${l}`);
    this.last.push(l);
    if (this.last.length > TAIL) this.last.shift();
  }
}

/** The one error for a RUN whose command failed: the Dockerfile line, the exit code, the last lines; exit 1. */
export function runFailed(ins: RunInstruction, where: SourcePosition, exitCode: number | string, out: StepOutput): PipelineError {
  const tail = out.tail.map((l) => `    ${l}`).join('\n');
  return new PipelineError('dockerfile', `RUN failed with exit code ${exitCode}: ${ins.raw.slice(0, 120)}${tail ? `\n${tail}` : ''}`, { exitCode: 1, position: where });
}

/** The error for a step stopped by Ctrl-C / SIGTERM (its processes or container are gone). */
export function runInterrupted(ins: RunInstruction, where: SourcePosition, signal: AbortSignal): PipelineError {
  const why = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
  return new PipelineError('dockerfile', `RUN interrupted (${why}): ${ins.raw.slice(0, 120)}`, { exitCode: 1, position: where });
}

const ENVIRONMENT = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EMFILE', 'ENFILE', 'ENOMEM']);

/**
 * What a step's failure of its surroundings becomes: the Docker Engine answering an error (its
 * status), or this machine out of space, files or memory, is exit 1 naming the line and what failed.
 * Anything else is left as it is (a PipelineError already says it; the rest is a bug).
 */
export function stepEnvironmentError(e: unknown, ins: RunInstruction, where: SourcePosition): unknown {
  if (e instanceof PipelineError || !(e instanceof Error)) return e;
  const status = (e as { statusCode?: unknown }).statusCode;
  const code = (e as NodeJS.ErrnoException).code;
  if (typeof status === 'number') return new PipelineError('dockerfile', `RUN: the Docker Engine answered ${status}: ${e.message.replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim()} (${ins.raw.slice(0, 80)})`, { exitCode: 1, position: where, cause: e });
  if (code && ENVIRONMENT.has(code)) return new PipelineError('dockerfile', `RUN: ${e.message} (${ins.raw.slice(0, 80)})`, { exitCode: 1, position: where, cause: e, hint: code === 'ENOSPC' || code === 'EDQUOT' ? 'free space where the build writes (TMPDIR, --cache-dir, the engine\'s storage)' : undefined });
  return e;
}

/** A step runner whose failures of its surroundings (stepEnvironmentError) are said at the RUN line: one wrapper for both executors. */
export function atRunLine<C extends { df: { file: string } }, R>(step: (ins: RunInstruction, ctx: C) => Promise<R>): (ins: RunInstruction, ctx: C) => Promise<R> {
  return (ins, ctx) =>
    step(ins, ctx).catch((e: unknown) => {
      throw stepEnvironmentError(e, ins, { file: ctx.df.file, ...ins.pos });
    });
}
