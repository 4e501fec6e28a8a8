import * as core from '@actions/core';
import { isAbsolute, relative } from 'node:path';
import { isPipelineError, mask } from '@pipeline/core';
import type { LintFinding } from '@pipeline/cli';

/** Annotations name files relative to the workspace (the repository root), as the runner maps them to the diff. */
function inWorkspace(file: string, workspace: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(workspace, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** The step's error: at its file, line and column when it has them (a Dockerfile, pipeline.yml); its exit code. */
export function annotateError(e: unknown, workspace: string): { message: string; exitCode: number } {
  if (!isPipelineError(e)) {
    const message = mask(`internal error: ${(e as Error)?.stack ?? String(e)}`);
    core.error(message);
    return { message, exitCode: 1 };
  }
  const p = e.position;
  const message = mask(e.message + (e.hint ? `\nhint: ${e.hint}` : ''));
  const file = p?.file ? inWorkspace(p.file, workspace) : undefined;
  core.error(message, { title: `pipeline: ${e.kind} error`, ...(file ? { file, startLine: p!.line, startColumn: p!.column } : {}) });
  const where = file ? `${[file, p!.line, p!.column].filter((x) => x !== undefined).join(':')}: ` : '';
  return { message: where + message, exitCode: e.exitCode };
}

/** Lint findings become warnings at their lines, whatever their severity: they never fail the step. */
export function annotateLint(findings: LintFinding[], workspace: string): void {
  for (const f of findings) core.warning(mask(`${f.rule} ${f.message}\nfix: ${f.fix}`), { title: `pipeline lint ${f.rule}`, file: inWorkspace(f.file, workspace), startLine: f.line, startColumn: f.column });
}
