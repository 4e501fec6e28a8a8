import type { Dockerfile } from '../dockerfile/types.js';
import type { Finding, Rule } from './types.js';
import { multiProcess, shellForm } from './rules/signals.js';
import { aptLists, aptUpgrade, apkNoCache, runPerPackage } from './rules/packages.js';
import { secrets } from './rules/secrets.js';
import { unpinnedFrom } from './rules/base.js';
import { addForCopy, maintainer, relativeWorkdir } from './rules/instructions.js';
import { rootUser } from './rules/user.js';
export { effectiveUser, isRootUser } from './rules/user.js';
import { cdInRun, sudo } from './rules/run.js';

export type { Finding, Rule, Severity } from './types.js';

/** Every rule, by id. Ids are stable: pipeline.yml's lint.disable refers to them. */
export const LINT_RULES: readonly Rule[] = [shellForm, multiProcess, aptLists, aptUpgrade, runPerPackage, secrets, unpinnedFrom, addForCopy, rootUser, apkNoCache, sudo, relativeWorkdir, maintainer, cdInRun];

export interface LintOptions {
  /** Names of pipeline.yml's images: `FROM os` means that image, pinned by the pipeline. */
  pipelineImages?: string[];
  /** What an external base runs as, when known (see LintContext). */
  baseUser?: (image: string) => string | undefined;
  /** Rule ids to skip (pipeline.yml `lint.disable`). */
  disable?: string[];
}

/** Runs every enabled rule; findings sorted by position, then rule id. */
export function lintDockerfile(df: Dockerfile, opts: LintOptions = {}): Finding[] {
  const off = new Set(opts.disable ?? []);
  const out: Finding[] = [];
  for (const r of LINT_RULES) {
    if (off.has(r.id)) continue;
    for (const h of r.check(df, { pipelineImages: opts.pipelineImages, baseUser: opts.baseUser })) out.push({ rule: r.id, severity: r.severity, line: h.pos.line, column: h.pos.column, message: h.message, fix: h.fix });
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
}

/** Ids in `ids` that name no rule: a typo in lint.disable silently disables nothing. */
export const unknownRuleIds = (ids: string[]): string[] => ids.filter((id) => !LINT_RULES.some((r) => r.id === id));

/** Exit status for a set of findings: 1 if any error (or any finding at all in strict mode). */
export const lintFails = (findings: Finding[], strict = false): boolean => findings.some((f) => strict || f.severity === 'error');
