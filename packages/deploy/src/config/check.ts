import { ConfigError, type SourcePosition, cut, quote } from '@pipeline/core';

export type Path = (string | number)[];
export type At = (path: Path) => SourcePosition;

/** `prod.hosts.0` for messages; keys are the user's, so each is cut. */
export const keyPath = (path: Path): string => path.map((p) => (typeof p === 'string' ? cut(p) : p)).join('.');

/** Validation helpers that turn every mistake into a ConfigError naming the key path and what was expected. */
export class Checker {
  constructor(readonly at: At) {}

  fail(path: Path, expected: string, got: unknown, hint?: string): never {
    throw new ConfigError(`${keyPath(path)}: Expected ${expected}, got ${show(got)}`, this.at(path), hint);
  }

  object(v: unknown, path: Path, allowed?: readonly string[]): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'a mapping', v);
    const o = v as Record<string, unknown>;
    if (allowed) {
      for (const k of Object.keys(o)) {
        if (!allowed.includes(k)) this.fail([...path, k], `one of the keys ${allowed.join(', ')}`, k);
      }
    }
    return o;
  }

  string(v: unknown, path: Path): string {
    if (typeof v !== 'string' || v === '') this.fail(path, 'a non-empty string', v);
    return v as string;
  }

  int(v: unknown, path: Path, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(path, `an integer from ${min} to ${max}`, v);
    return v as number;
  }

  bool(v: unknown, path: Path): boolean {
    if (typeof v !== 'boolean') this.fail(path, 'true or false', v);
    return v as boolean;
  }

  oneOf<T extends string>(v: unknown, path: Path, values: readonly T[]): T {
    if (typeof v !== 'string' || !values.includes(v as T)) this.fail(path, `one of ${values.join(', ')}`, v);
    return v as T;
  }

  array(v: unknown, path: Path): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'a list', v);
    return v as unknown[];
  }
}

export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v === 'string' ? quote(v) : cut(JSON.stringify(v));
}
