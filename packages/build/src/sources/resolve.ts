import { isAbsolute, resolve } from 'node:path';
import { parseReference, formatReference, type Digest, type Reference } from '@pipeline/core';
import { emptyImage, type Image } from '../model/image.js';
import type { Platform } from '../model/types.js';
import { readOciLayout } from './oci-layout.js';
import { readDockerArchive } from './docker-archive.js';
import { isSemverRange } from '../git/tags.js';

/** What a FROM (or COPY --from) names, before it is read. */
export type ImageSource =
  | { kind: 'scratch' }
  | { kind: 'oci'; dir: string; ref?: string }
  | { kind: 'docker-archive'; file: string; ref?: string }
  | { kind: 'registry'; ref: Reference; range?: string };

/** Splits `oci:DIR[:ref]` / `docker-archive:FILE[:name:tag]` / a registry reference. */
export function parseImageSource(text: string, baseDir: string): ImageSource {
  if (text === 'scratch') return { kind: 'scratch' };
  for (const [prefix, kind] of [['oci:', 'oci'], ['oci-layout://', 'oci'], ['docker-archive:', 'docker-archive']] as const) {
    if (!text.startsWith(prefix)) continue;
    const rest = text.slice(prefix.length);
    // As in skopeo: the path ends at the first ':'.
    const colon = rest.indexOf(':');
    const path = colon >= 0 ? rest.slice(0, colon) : rest;
    const ref = colon >= 0 ? rest.slice(colon + 1) : undefined;
    const abs = isAbsolute(path) ? path : resolve(baseDir, path);
    return kind === 'oci' ? { kind, dir: abs, ref } : { kind, file: abs, ref };
  }
  // `middleware:^2.1`: a semver range instead of a tag, resolved against the registry's tags.
  const m = /^(.*?):([^:/@]*[\^~><=*| ][^:/@]*|[^:/@]*\.x(?:\.x)?)$/.exec(text);
  if (m && isSemverRange(m[2])) return { kind: 'registry', ref: { ...parseReference(m[1]), tag: undefined }, range: m[2] };
  return { kind: 'registry', ref: parseReference(text) };
}

export function describeSource(s: ImageSource): string {
  switch (s.kind) {
    case 'scratch':
      return 'scratch';
    case 'oci':
      return `oci:${s.dir}${s.ref ? `:${s.ref}` : ''}`;
    case 'docker-archive':
      return `docker-archive:${s.file}${s.ref ? `:${s.ref}` : ''}`;
    case 'registry':
      return formatReference(s.ref) + (s.range ? `:${s.range}` : '');
  }
}

export interface LoadedBase {
  image: Image;
  /** Manifest digest when the source has one (registry, OCI layout): pinned in the build record. */
  digest?: Digest;
  name: string;
}

/** Reads a registry image; supplied by the caller so the model stays free of transports. */
export type RegistryReader = (ref: Reference, platform?: Platform, range?: string) => Promise<{ image: Image; digest: Digest; tag?: string }>;

export async function loadImageSource(src: ImageSource, opts: { store: string; platform?: Platform; registry?: RegistryReader }): Promise<LoadedBase> {
  switch (src.kind) {
    case 'scratch':
      return { image: emptyImage(opts.platform), name: 'scratch' };
    case 'oci': {
      const r = await readOciLayout(src.dir, { ref: src.ref, platform: opts.platform });
      return { image: r.image, digest: r.digest, name: describeSource(src) };
    }
    case 'docker-archive': {
      const r = await readDockerArchive(src.file, opts.store, { ref: src.ref });
      return { image: r.image, name: describeSource(src) };
    }
    case 'registry': {
      if (!opts.registry) throw new Error('no registry reader configured');
      const r = await opts.registry(src.ref, opts.platform, src.range);
      return { image: r.image, digest: r.digest, name: formatReference({ ...src.ref, tag: r.tag ?? src.ref.tag, digest: undefined }) };
    }
  }
}
