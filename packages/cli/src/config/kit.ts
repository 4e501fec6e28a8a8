import { ConfigError, type SourcePosition, cut } from '@pipeline/core';
import type { Path, YamlSource } from './source.js';
import { mean } from './suggest.js';

export interface ConfigWarning {
  message: string;
  position: SourcePosition;
}

/** What every validator gets: the source for positions, and a sink for warnings. */
export interface Ctx {
  src: YamlSource;
  strict: boolean;
  warnings: ConfigWarning[];
}

/** `images.app.executor`, `test.app.structure[2]` – the key path every message starts with. */
export const dotted = (path: Path): string => path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${cut(p)}` : cut(p)), '');

/** A value as the user wrote it, for "got …". */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return `'${cut(v)}'`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${cut(String(v))}`;
}

export function fail(ctx: Ctx, path: Path, message: string, opts: { key?: boolean; hint?: string } = {}): never {
  const where = dotted(path);
  throw new ConfigError(where ? `${where}: ${message}` : message, ctx.src.pos(path, { key: opts.key }), opts.hint);
}

/** A warning, or an error in strict mode. */
export function warnOrFail(ctx: Ctx, path: Path, message: string, hint?: string): void {
  if (ctx.strict) fail(ctx, path, message, { hint: hint ?? 'strict mode turns this warning into an error' });
  ctx.warnings.push({ message: `${dotted(path)}: ${message}`, position: ctx.src.pos(path) });
}

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function obj(ctx: Ctx, path: Path, v: unknown): Record<string, unknown> {
  if (!isObj(v)) fail(ctx, path, `Expected a mapping, got ${show(v)}`);
  return v;
}

/** Rejects keys outside `allowed`, naming the closest one and the full list. */
export function keys(ctx: Ctx, path: Path, v: Record<string, unknown>, allowed: readonly string[], required: readonly string[] = []): void {
  for (const k of Object.keys(v)) {
    if (allowed.includes(k)) continue;
    const where = path.length ? ` in ${dotted(path)}` : ' at the top level';
    throw new ConfigError(`unknown key '${cut(k)}'${where}${mean(k, allowed)}; allowed: ${allowed.join(', ')}`, ctx.src.pos([...path, k], { key: true }));
  }
  for (const k of required) if (v[k] === undefined || v[k] === null) fail(ctx, path, `missing required key '${k}'`);
}

export function str(ctx: Ctx, path: Path, v: unknown, what = 'a string'): string {
  if (typeof v !== 'string' || !v) fail(ctx, path, `Expected ${what}, got ${v === '' ? 'an empty string' : show(v)}`);
  return v;
}

/** Strings, or integers; floats are refused because YAML turns 12.10 into 12.1. */
export function strish(ctx: Ctx, path: Path, v: unknown): string {
  if (typeof v === 'number') {
    const raw = ctx.src.rawText(path) ?? String(v);
    if (Number.isInteger(v) && raw === String(v)) return raw;
    fail(ctx, path, `Expected a string, got the number ${raw} (YAML reads it as ${v})`, { hint: `quote it: "${raw}"` });
  }
  if (typeof v === 'boolean') fail(ctx, path, `Expected a string, got boolean ${v}`, { hint: `quote it: "${ctx.src.rawText(path) ?? v}"` });
  return str(ctx, path, v);
}

export function bool(ctx: Ctx, path: Path, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(ctx, path, `Expected true or false, got ${show(v)}`);
  return v;
}

export function int(ctx: Ctx, path: Path, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(ctx, path, `Expected an integer from ${min} to ${max}, got ${show(v)}`);
  return v;
}

export function oneOf<T extends string>(ctx: Ctx, path: Path, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) fail(ctx, path, `Expected one of: ${allowed.join(', ')}, got ${show(v)}${typeof v === 'string' ? mean(v, allowed) : ''}`);
  return v as T;
}

export function list(ctx: Ctx, path: Path, v: unknown): unknown[] {
  if (!Array.isArray(v)) fail(ctx, path, `Expected a list, got ${show(v)}`);
  return v;
}

export const strList = (ctx: Ctx, path: Path, v: unknown): string[] => list(ctx, path, v).map((x, i) => strish(ctx, [...path, i], x));

export function strMap(ctx: Ctx, path: Path, v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(ctx, path, v))) out[k] = strish(ctx, [...path, k], x);
  return out;
}
