import { UsageError } from '@pipeline/core';

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** `KEY=VALUE`, or `KEY` alone to take it from the environment (as docker build does). */
export function parseBuildArgs(items: string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf('=');
    const key = i < 0 ? item : item.slice(0, i);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`Expected --build-arg KEY=VALUE with KEY a valid name, got ${JSON.stringify(item)}`);
    if (i >= 0) out[key] = item.slice(i + 1);
    else if (env[key] !== undefined) out[key] = env[key]!;
  }
  return out;
}
