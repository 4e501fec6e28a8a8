import { UsageError, cut, quote } from '@pipeline/core';

/** How a setting's text is read: every layer but flags hands over strings. */
export type Kind = 'string' | 'bool' | 'list' | 'map';

/** `env:PIPELINE_TAGS` / `ci:CI_COMMIT_SHA` → the variable, `input:push` → `input 'push'`, `flag:--tag` → `--tag`: how a user wrote it. */
export function describeSource(source: string): string {
  const [layer, name] = [source.slice(0, source.indexOf(':')), source.slice(source.indexOf(':') + 1)];
  if (layer === 'input') return `input '${name}'`;
  return name || source;
}

export function parseBool(source: string, v: string): boolean {
  if (/^(true|1|yes|on)$/i.test(v.trim())) return true;
  if (/^(false|0|no|off)$/i.test(v.trim())) return false;
  throw new UsageError(`Expected ${describeSource(source)} to be true or false, got '${cut(v)}'`);
}

/** A list in one string: items on lines or between commas (`a,b`, or one per line as Action inputs are written). */
export function splitList(s: string): string[] {
  return s.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);
}

/**
 * Drone and Woodpecker hand a setting that is a YAML mapping or a list of mappings to the plugin as
 * JSON (`build_args: {A: 1}` → PLUGIN_BUILD_ARGS='{"A":"1"}'); lists of scalars arrive comma-joined.
 * So a list or map setting whose text starts with `{` or `[` is JSON: a mapping becomes KEY=VALUE
 * items, an array its items. Anything else is undefined (the caller splits it as plain text).
 */
export function jsonItems(source: string, text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (e) {
    // The text itself is not repeated: it may hold a secret (V8's message quotes it, so only the position is kept).
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new UsageError(`Expected ${describeSource(source)} to be valid JSON (a mapping or a list, as Drone and Woodpecker pass them), got text that does not parse${at ? ` (at character ${Number(at) + 1})` : ''}`, 'a value starting with { or [ is read as JSON; quote it otherwise');
  }
  const scalar = (x: unknown, where: string): string => {
    if (x === null || typeof x === 'object') throw new UsageError(`Expected ${describeSource(source)} to hold plain values, got ${quote(x)} at ${where}`);
    return String(x);
  };
  if (Array.isArray(v)) return v.map((x, i) => scalar(x, `[${i}]`).trim()).filter(Boolean);
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${scalar(x, k)}`);
}

/**
 * KEY=VALUE items: one per line, or comma-separated when a comma is followed by the next `KEY=`
 * (so `A=1,B=2` is two items and `DESC=red, green` keeps its comma, as a label value needs).
 */
export function splitPairs(s: string): string[] {
  return s.split(/\n|,(?=\s*[A-Za-z_][A-Za-z0-9_.-]*=)/).map((x) => x.trim()).filter(Boolean);
}

/** `KEY=VALUE`, or `KEY` alone to take it from the environment (as docker build --build-arg does). */
export function parsePairs(source: string, items: string[], env: Record<string, string | undefined>, opts: { keyPattern?: RegExp; fromEnv?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const key = opts.keyPattern ?? /^[A-Za-z_][A-Za-z0-9_]*$/;
  for (const item of items) {
    const i = item.indexOf('=');
    const k = i < 0 ? item : item.slice(0, i);
    if (!key.test(k) || (i < 0 && !opts.fromEnv)) throw new UsageError(`Expected ${describeSource(source)} KEY=VALUE${opts.fromEnv ? ' (or KEY alone, taken from the environment)' : ''}, got ${quote(item)}`);
    if (i >= 0) out[k] = item.slice(i + 1);
    else if (env[k] !== undefined) out[k] = env[k]!;
  }
  return out;
}
