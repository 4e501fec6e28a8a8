import type { VarLookup } from '../dockerfile/types.js';

/** `KEY=value` list (image config Env) → map, keeping the last definition of a key. */
export function envToMap(env: readonly string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) m.set(kv.slice(0, i), kv.slice(i + 1));
    else m.set(kv, '');
  }
  return m;
}

/** Replaces a key in place (Docker keeps the original order) or appends it. */
export function setEnv(env: readonly string[] | undefined, key: string, value: string): string[] {
  const out = [...(env ?? [])];
  const i = out.findIndex((kv) => kv === key || kv.startsWith(`${key}=`));
  if (i >= 0) out[i] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

/** ENV always wins over ARG of the same name, as in Docker. */
export function lookupOf(env: readonly string[] | undefined, args: ReadonlyMap<string, string | undefined>): VarLookup {
  const e = envToMap(env);
  return (name) => (e.has(name) ? e.get(name) : args.get(name));
}
