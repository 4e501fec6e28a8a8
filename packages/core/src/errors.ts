/** Where in a user's file a problem is. Line and column are 1-based. */
export interface SourcePosition {
  file: string;
  line?: number;
  column?: number;
}

export type ErrorKind = 'config' | 'dockerfile' | 'context' | 'registry' | 'deploy' | 'usage' | 'test' | 'internal';

/**
 * The one base class. `exitCode` 2 is the user's input, 1 is a job that ran and failed.
 * `hint` is the one line telling the user what to do next.
 */
export class PipelineError extends Error {
  readonly kind: ErrorKind;
  readonly exitCode: 1 | 2;
  readonly hint?: string;
  readonly position?: SourcePosition;

  constructor(kind: ErrorKind, message: string, opts: { exitCode?: 1 | 2; hint?: string; position?: SourcePosition; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PipelineError';
    this.kind = kind;
    this.exitCode = opts.exitCode ?? 2;
    this.hint = opts.hint;
    this.position = opts.position;
  }

  /** `file:line:col: message` – the form editors and CI annotations understand. */
  format(): string {
    const p = this.position;
    const where = p ? [p.file, p.line, p.column].filter((x) => x !== undefined).join(':') + ': ' : '';
    return where + this.message + (this.hint ? `\n  hint: ${this.hint}` : '');
  }
}

export class ConfigError extends PipelineError {
  constructor(message: string, position?: SourcePosition, hint?: string) {
    super('config', message, { position, hint });
    this.name = 'ConfigError';
  }
}

export class DockerfileError extends PipelineError {
  constructor(message: string, position: SourcePosition, hint?: string) {
    super('dockerfile', message, { position, hint });
    this.name = 'DockerfileError';
  }
}

/** A build context problem: a path escaping it, a missing source. */
export class ContextError extends PipelineError {
  constructor(message: string, position?: SourcePosition, hint?: string) {
    super('context', message, { position, hint });
    this.name = 'ContextError';
  }
}

export class UsageError extends PipelineError {
  constructor(message: string, hint?: string) {
    super('usage', message, { hint });
    this.name = 'UsageError';
  }
}

/** An error from a registry, carrying the HTTP status and the spec's error code (MANIFEST_UNKNOWN…). */
export class RegistryError extends PipelineError {
  readonly status?: number;
  readonly code?: string;
  readonly registry: string;
  /** Worth retrying: resets, 429, 5xx. */
  readonly temporary: boolean;

  constructor(registry: string, message: string, opts: { status?: number; code?: string; temporary?: boolean; hint?: string; cause?: unknown; exitCode?: 1 | 2 } = {}) {
    super('registry', `${registry}: ${message}`, { hint: opts.hint, cause: opts.cause, exitCode: opts.exitCode ?? (opts.temporary ? 1 : 2) });
    this.name = 'RegistryError';
    this.registry = registry;
    this.status = opts.status;
    this.code = opts.code;
    this.temporary = opts.temporary ?? false;
  }
}

export class DeployError extends PipelineError {
  /** What the target looked like when the deploy stopped (per host, per container). */
  readonly state?: unknown;
  constructor(message: string, opts: { state?: unknown; hint?: string; exitCode?: 1 | 2; cause?: unknown } = {}) {
    super('deploy', message, { exitCode: opts.exitCode ?? 1, hint: opts.hint, cause: opts.cause });
    this.name = 'DeployError';
    this.state = opts.state;
  }
}

export const isPipelineError = (e: unknown): e is PipelineError => e instanceof PipelineError;
export const isConfigError = (e: unknown): e is ConfigError => e instanceof ConfigError;
export const isDockerfileError = (e: unknown): e is DockerfileError => e instanceof DockerfileError;
export const isRegistryError = (e: unknown): e is RegistryError => e instanceof RegistryError;
export const isDeployError = (e: unknown): e is DeployError => e instanceof DeployError;
