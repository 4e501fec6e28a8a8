import { addSecret, UsageError, quote } from '@pipeline/core';
import { normalizeAuthKey } from '@pipeline/build';
import type { Login } from './resolve.js';
import { describeSource } from './values.js';

/**
 * More registry logins for the CI plugin, as the docker plugins take them: Docker's config.json
 * content (kaniko's `docker_config_json`) and Woodpecker buildx's `logins` list of
 * {registry, username, password}. Each binds its credentials to its registry alone; passwords
 * are masked as soon as they are read, and nothing of the text is ever repeated in an error.
 */
export function parseRegistryLogins(dockerConfig: string | undefined, list: string | undefined, sources: { dockerConfig?: string; registryLogins?: string }): Login[] {
  return [...(dockerConfig ? fromConfigJson(dockerConfig, sources.dockerConfig!) : []), ...(list ? fromList(list, sources.registryLogins!) : [])];
}

function parse(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`Expected ${describeSource(source)} to be JSON, got text that does not parse`, 'the value is not repeated here: it holds credentials');
  }
}

function login(registry: string, username: string, password: string, from: string): Login {
  addSecret(password);
  addSecret(Buffer.from(`${username}:${password}`).toString('base64'));
  return { registry: normalizeAuthKey(registry), username, password, from };
}

function fromConfigJson(text: string, source: string): Login[] {
  const cfg = parse(text, source) as { auths?: Record<string, { auth?: string; username?: string; password?: string }> } | null;
  if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) throw new UsageError(`Expected ${describeSource(source)} to be Docker's config.json (an object with "auths"), got another JSON value`);
  return Object.entries(cfg.auths ?? {}).map(([registry, e]) => {
    if (e?.auth) {
      const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) return login(registry, decoded.slice(0, i), decoded.slice(i + 1), source);
    }
    if (e?.username && e.password) return login(registry, e.username, e.password, source);
    throw new UsageError(`Expected ${describeSource(source)} auths.${quote(registry)} to hold "auth" (base64 of user:password) or "username" and "password"`, 'identity tokens and credential helpers are not read from this setting');
  });
}

function fromList(text: string, source: string): Login[] {
  const list = parse(text, source);
  if (!Array.isArray(list)) throw new UsageError(`Expected ${describeSource(source)} to be a list of {registry, username, password}, got another JSON value`);
  return list.map((e: { registry?: unknown; username?: unknown; password?: unknown }, i) => {
    if (typeof e?.registry !== 'string' || typeof e.username !== 'string' || typeof e.password !== 'string' || !e.registry || !e.username || !e.password) {
      throw new UsageError(`Expected ${describeSource(source)} item ${i + 1} to have registry, username and password`, 'e.g. logins: [{ registry: registry.example.com, username: …, password: { from_secret: … } }]');
    }
    return login(e.registry, e.username, e.password, `${source}[${i}]`);
  });
}
