import { isDigest, parseReference, type Digest } from '@pipeline/core';

/**
 * An image as a manifest writes it: the name exactly as the user spelled it (`ghcr.io/org/web`,
 * `nginx`, never normalized to `docker.io/library/nginx`), an optional tag and digest.
 */
export interface ImageVersion {
  name: string;
  tag?: string;
  digest?: Digest;
}

/** What a deploy puts in git: always a digest; the tag (the git SHA, usually) is kept for readers. */
export interface DesiredImage extends ImageVersion {
  digest: Digest;
  /** The git commit the image was built from, for the audit trail. */
  sha?: string;
}

/** Splits `name[:tag][@digest]` without normalizing the name; undefined when it is not an image reference. */
export function splitImage(ref: string): ImageVersion | undefined {
  let rest = ref.trim();
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) return undefined;
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  try {
    parseReference(`${rest}${tag ? `:${tag}` : ''}`);
  } catch {
    return undefined;
  }
  return { name: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `name:tag@digest`, the form a pod spec pins by digest and still tells a reader which commit it is. */
export function formatImage(v: ImageVersion): string {
  return `${v.name}${v.tag ? `:${v.tag}` : ''}${v.digest ? `@${v.digest}` : ''}`;
}

/** Same repository, however spelled (`nginx` and `docker.io/library/nginx` are one). */
export function sameRepository(a: string, b: string): boolean {
  try {
    const x = parseReference(a);
    const y = parseReference(b);
    return x.registry === y.registry && x.repository === y.repository;
  } catch {
    return a === b;
  }
}

/** A tag that names a git commit: 7–40 hex digits, or the `sha-<hex>` form pipeline also pushes. */
export function shaOfTag(tag: string | undefined): string | undefined {
  const m = tag ? /^(?:sha-)?([0-9a-f]{7,40})$/.exec(tag) : null;
  return m ? m[1] : undefined;
}
