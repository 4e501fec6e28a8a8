import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { notADirectory, UsageError, parseReference, type Reference, quote } from '@pipeline/core';

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
    // As in skopeo: the path ends at the first ':' (paths with ':' are not supported).
    const colon = rest.indexOf(':');
    const path = abs(colon >= 0 ? rest.slice(0, colon) : rest);
    const ref = colon >= 0 ? rest.slice(colon + 1) : undefined;
    if (ref === '') throw new UsageError(`Expected a name after the ':' in ${quote(text)}`);
    return kind === 'oci' ? { kind, dir: path, ref } : { kind, file: path, ref };
  }
  throw new UsageError(`Expected --output oci:DIR[:tag], docker-archive:FILE[:name:tag] or registry[:REF], got ${quote(text)}`);
}

/**
 * Checks, before anything is built, that an output can be written where it names: a
 * docker-archive is a file (not an existing directory), an OCI layout a directory (not a file).
 */
export function checkOutputTarget(spec: OutputSpec): void {
  if (spec.kind === 'registry') return;
  const [path, want, example] = spec.kind === 'oci' ? [spec.dir, 'directory', 'oci:out/app'] : [spec.file, 'file', 'docker-archive:out/app.tar'];
  const problem = spec.kind === 'oci' ? notADirectory(path) : isDirectory(path) ? `${path} is a directory` : notADirectory(dirname(path));
  if (problem) throw new UsageError(`--output ${spec.kind}:${path}: ${problem}`, `Expected a ${want} path, e.g. ${example}`);
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
