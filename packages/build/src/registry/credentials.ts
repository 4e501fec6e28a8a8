import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { addSecret, ConfigError, DOCKER_HUB, parseJsonObject, RegistryError } from '@pipeline/core';

/** Either a username/password pair or an identity (refresh) token from `docker login`. */
export type Credentials = { username: string; password: string } | { identityToken: string };

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const HUB_KEY = 'https://index.docker.io/v1/';
const HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io']);

/** `https://host/v1/` → `host`: Docker writes keys in several shapes over the years. */
export function normalizeAuthKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  return HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

/** The server URL a credential helper is asked about: Hub's legacy URL, else the bare host. */
export function helperServerUrl(registry: string): string {
  return normalizeAuthKey(registry) === DOCKER_HUB ? HUB_KEY : registry;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

function remember(c: Credentials): Credentials {
  addSecret('password' in c ? c.password : c.identityToken);
  if ('password' in c) addSecret(Buffer.from(`${c.username}:${c.password}`).toString('base64'));
  return c;
}

/** Runs `docker-credential-<name> get`; "not found" (non-zero exit) means no credentials. */
export async function fromHelper(helper: string, serverUrl: string, env?: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  const { execa } = await import('execa');
  const r = await execa(`docker-credential-${helper}`, ['get'], { input: serverUrl, reject: false, timeout: 30_000, env });
  if ((r as { code?: string }).code === 'ENOENT') {
    throw new RegistryError(serverUrl, `credential helper docker-credential-${helper} is not installed`, { hint: 'install it, or remove it from credHelpers/credsStore in the Docker config' });
  }
  if (r.exitCode !== 0 || !r.stdout) return undefined;
  // Never quote what it printed: it may hold the secret.
  const j = parseJsonObject<{ Username?: string; Secret?: string }>(String(r.stdout), () =>
    new RegistryError(serverUrl, `credential helper docker-credential-${helper} printed something other than a JSON object for \`get\``, { hint: `run: echo ${serverUrl} | docker-credential-${helper} get  (expected {"Username": …, "Secret": …}); fix or reinstall the helper` }),
  );
  if (!j.Secret) return undefined;
  // Helpers mark identity tokens with the user name "<token>".
  return remember(j.Username === '<token>' ? { identityToken: j.Secret } : { username: j.Username ?? '', password: j.Secret });
}

function fromAuthEntry(e: NonNullable<DockerConfig['auths']>[string]): Credentials | undefined {
  if (e.identitytoken) return remember({ identityToken: e.identitytoken });
  if (e.auth) {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0) return remember({ username: decoded.slice(0, i), password: decoded.slice(i + 1) });
  }
  if (e.username && e.password) return remember({ username: e.username, password: e.password });
  return undefined;
}

/** Reads Docker's config: credHelpers[host], then auths (host, https://host, Hub's v1 URL), then credsStore. */
export async function fromDockerConfig(registry: string, path = dockerConfigPath(), env?: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  return (await lookupDockerConfig(registry, path, env)).credentials;
}

/** fromDockerConfig, saying where the answer came from (`pipeline doctor` shows it): `config.json <path>`, `helper docker-credential-<name>`. */
export async function lookupDockerConfig(registry: string, path = dockerConfigPath(), env?: NodeJS.ProcessEnv): Promise<{ credentials?: Credentials; source?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {}; // no Docker config: no credentials from it
  }
  const cfg = parseJsonObject<DockerConfig>(text, (where) => new ConfigError('the Docker config is not a valid JSON object', { file: path, ...where }, 'fix the file, or point DOCKER_CONFIG at another directory'));
  const want = normalizeAuthKey(registry);
  const helper = Object.entries(cfg.credHelpers ?? {}).find(([k]) => normalizeAuthKey(k) === want)?.[1];
  if (helper) return { credentials: await fromHelper(helper, helperServerUrl(registry), env), source: `helper docker-credential-${helper} (credHelpers in ${path})` };
  const entry = Object.entries(cfg.auths ?? {}).find(([k]) => normalizeAuthKey(k) === want)?.[1];
  const inline = entry && fromAuthEntry(entry);
  if (inline) return { credentials: inline, source: `config.json ${path}` };
  if (cfg.credsStore) return { credentials: await fromHelper(cfg.credsStore, helperServerUrl(registry), env), source: `helper docker-credential-${cfg.credsStore} (credsStore in ${path})` };
  return {};
}

/** The explicit login for a registry among several (keys in any of Docker's shapes: `host`, `https://host/v1/`). */
export function loginFor(logins: Record<string, Credentials> | undefined, registry: string): Credentials | undefined {
  if (!logins) return undefined;
  const want = normalizeAuthKey(registry);
  return Object.entries(logins).find(([k]) => normalizeAuthKey(k) === want)?.[1];
}

/**
 * An explicit login (the caller's settings: flags, env, Action inputs), else Docker's config and
 * helpers. Which explicit login applies is the caller's decision; this never reads credentials from env.
 */
export async function resolveCredentials(registry: string, explicit?: Credentials, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  if (explicit) return remember(explicit);
  return fromDockerConfig(registry, dockerConfigPath(env), env);
}
