import { quote } from './text.js';
import { isDigest, type Digest } from './digest.js';
import { PipelineError } from './errors.js';

export const DOCKER_HUB = 'docker.io';

/** A parsed, normalized image reference: `registry/repository[:tag][@digest]`. */
export interface Reference {
  /** `docker.io`, `localhost:5000`, `ghcr.io` – what the user meant, normalized. */
  readonly registry: string;
  /** `library/node`, `team/app`. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;

/** A malformed image reference: the user's input, so exit code 2. */
export class InvalidReferenceError extends PipelineError {
  constructor(ref: string, why: string) {
    super('usage', `Invalid image reference ${quote(ref)}: ${why}`);
    this.name = 'InvalidReferenceError';
  }
}

/** Parses with Docker's rules: a first component with `.`, `:` or `localhost` is a registry; Hub names get `library/`. */
export function parseReference(input: string): Reference {
  const ref = input.trim();
  if (!ref) throw new InvalidReferenceError(input, 'expected registry/repository[:tag][@digest], got an empty string');
  let rest = ref;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) throw new InvalidReferenceError(input, `expected a digest like sha256:<64 hex> after "@", got ${quote(d)}`);
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(input, `tag ${quote(tag)} must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  const first = parts[0];
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || /[A-Z]/.test(first))) {
    registry = first;
    parts.shift();
    if (!HOST.test(registry)) throw new InvalidReferenceError(input, `registry ${quote(registry)} is not a valid host[:port]`);
    if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  for (const c of parts) {
    if (!COMPONENT.test(c)) {
      const why = /[A-Z]/.test(c) ? 'repository names must be lowercase' : 'each path component must be lowercase letters, digits and separators (. _ __ -)';
      throw new InvalidReferenceError(input, `${quote(c)}: ${why}`);
    }
  }
  const repository = parts.join('/');
  if (registry.length + 1 + repository.length > 255) throw new InvalidReferenceError(input, 'name is longer than 255 characters');
  return { registry, repository, tag: tag ?? (digest ? undefined : 'latest'), digest };
}

/** The canonical string: `docker.io/library/node:20`, `localhost:5000/app@sha256:…`. */
export function formatReference(r: Reference): string {
  return `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** The short form a person writes: `node:20` for Hub library images. */
export function familiarName(r: Reference): string {
  let name = `${r.registry}/${r.repository}`;
  if (r.registry === DOCKER_HUB) name = r.repository.startsWith('library/') ? r.repository.slice(8) : r.repository;
  return `${name}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

export function withTag(r: Reference, tag: string): Reference {
  if (!TAG.test(tag)) throw new InvalidReferenceError(tag, 'tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}');
  return { registry: r.registry, repository: r.repository, tag };
}

export function withDigest(r: Reference, digest: Digest): Reference {
  return { registry: r.registry, repository: r.repository, tag: r.tag, digest };
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** The host to speak HTTP to: Docker Hub's API lives on another name. */
export function registryHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

/** Loopback registries may use plain HTTP without a flag, as Docker allows. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
