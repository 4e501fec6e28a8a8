import { isAbsolute, resolve } from 'node:path';
import { UsageError, parseReference, type Reference } from '@pipeline/core';

/** Where a built image goes. */
export type OutputSpec =
  | { kind: 'oci'; dir: string; ref?: string }
  | { kind: 'docker-archive'; file: string; ref?: string }
  | { kind: 'registry'; ref?: Reference };

/** Parses `oci:DIR[:ref]`, `docker-archive:FILE[:name:tag]`, `registry[:REF]`. */
export function parseOutput(text: string, cwd = process.cwd()): OutputSpec {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  if (text === 'registry') return { kind: 'registry' };
  if (text.startsWith('registry:')) return { kind: 'registry', ref: parseReference(text.slice(9)) };
  for (const kind of ['oci', 'docker-archive'] as const) {
    if (!text.startsWith(`${kind}:`)) continue;
    const rest = text.slice(kind.length + 1);
    if (!rest) break;
    if (kind === 'oci') {
      const slash = rest.lastIndexOf('/');
      const colon = rest.indexOf(':', slash + 1);
      return colon >= 0 ? { kind, dir: abs(rest.slice(0, colon)), ref: rest.slice(colon + 1) } : { kind, dir: abs(rest) };
    }
    // docker-archive:FILE[:name:tag] – the file ends at the first ':' after the last '/'.
    const slash = rest.lastIndexOf('/');
    const colon = rest.indexOf(':', slash + 1);
    return colon >= 0 ? { kind, file: abs(rest.slice(0, colon)), ref: rest.slice(colon + 1) } : { kind, file: abs(rest) };
  }
  throw new UsageError(`Expected --output oci:DIR[:tag], docker-archive:FILE[:name:tag] or registry[:REF], got ${JSON.stringify(text)}`);
}
