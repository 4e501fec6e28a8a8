import type { Dockerfile, Pos } from '../dockerfile/types.js';

/**
 * error: the image is wrong (secrets baked in, PID 1 that drops SIGTERM with background jobs, an unpinned base);
 * warning: the image works but is bigger, slower or less safe than it needs to be. `pipeline lint` exits 1 on
 * errors, and on warnings too in strict mode.
 */
export type Severity = 'error' | 'warning';

export interface Finding {
  rule: string;
  severity: Severity;
  line: number;
  column: number;
  message: string;
  /** One line saying what to write instead. */
  fix: string;
}

export interface Rule {
  id: string;
  severity: Severity;
  /** What the rule looks for, for `pipeline lint --rules` and the docs. */
  title: string;
  check(df: Dockerfile, ctx?: LintContext): Hit[];
}

/** What a rule reports; id and severity are added from the rule. */
export interface Hit {
  pos: Pos;
  message: string;
  fix: string;
}

/** What the caller knows beyond the Dockerfile: images of pipeline.yml, which the pipeline pins by digest itself. */
export interface LintContext {
  pipelineImages?: string[];
  /**
   * The user an external base runs as, when the caller knows it (a pipeline.yml image's own
   * Dockerfile, or a base's config): `undefined` means unknown.
   */
  baseUser?: (image: string) => string | undefined;
}
