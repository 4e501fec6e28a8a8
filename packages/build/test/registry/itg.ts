// Shared setup for registry integration tests: the three real registries from test/services.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { services } from '../../../../test/lib/services.js';
import { RegistryClient, type RegistryClientOptions } from '../../src/registry/index.js';
import type { Credentials } from '../../src/registry/credentials.js';

export interface TestRegistry {
  name: 'anon' | 'basic' | 'token';
  host: string;
  creds?: { username: string; password: string };
}

export function testRegistries(): TestRegistry[] {
  const r = services().registries;
  return [
    { name: 'anon', host: r.anon.host },
    { name: 'basic', host: r.basic.host, creds: { username: r.basic.username, password: r.basic.password } },
    { name: 'token', host: r.token.host, creds: { username: r.token.username, password: r.token.password } },
  ];
}

/** A client that sees neither the machine's Docker config nor PIPELINE_REGISTRY_* (tests pass credentials explicitly). */
export function clientFor(host: string, creds?: Credentials, opts: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient(host, { credentials: creds, env: { DOCKER_CONFIG: '/nonexistent' }, retry: { attempts: 5, baseMs: 50, maxMs: 500 }, ...opts });
}

export const uniqueRepo = (prefix: string): string => `${prefix}/t${randomBytes(4).toString('hex')}`;

function credArgs(flag: string, creds?: { username: string; password: string }): string[] {
  return creds ? [flag, `${creds.username}:${creds.password}`] : [];
}

export async function skopeoInspect(host: string, name: string, creds?: { username: string; password: string }): Promise<{ Digest: string; Layers: string[]; RepoTags?: string[] }> {
  const r = await execa('skopeo', ['inspect', '--tls-verify=false', ...credArgs('--creds', creds), `docker://${host}/${name}`]);
  return JSON.parse(r.stdout) as { Digest: string; Layers: string[]; RepoTags?: string[] };
}

/** `skopeo copy` to an OCI dir downloads every blob and checks its digest: a full read-back. */
export async function skopeoVerify(host: string, name: string, creds?: { username: string; password: string }): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'skopeo-'));
  try {
    await execa('skopeo', ['copy', '--quiet', '--src-tls-verify=false', ...credArgs('--src-creds', creds), `docker://${host}/${name}`, `oci:${dir}:x`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
