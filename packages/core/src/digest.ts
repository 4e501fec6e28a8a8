import { quote } from './text.js';
import { createHash } from 'node:crypto';

/** `sha256:<64 hex>` – the only algorithm the OCI spec requires; sha512 is read too. */
export type Digest = `${'sha256' | 'sha512'}:${string}`;

const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(s: string): s is Digest {
  return DIGEST_RE.test(s);
}

export function parseDigest(s: string): Digest {
  if (!isDigest(s)) throw new TypeError(`Expected a digest like sha256:<64 hex chars>, got ${quote(s)}`);
  return s;
}

export function sha256(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function digestHex(d: Digest): string {
  return d.slice(d.indexOf(':') + 1);
}

export function shortDigest(d: Digest, n = 12): string {
  return digestHex(d).slice(0, n);
}
