import { cut } from '@pipeline/core';
import type { Ctx } from '../kit.js';
import { bool, fail, keys, obj, str } from '../kit.js';
import type { RegistryConfig } from '../types.js';

const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]{1,5})?$/;
const NAMESPACE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const SECRET_KEYS = ['username', 'password', 'token', 'auth', 'user', 'credentials'];

/** `registry:` – where images go. Credentials are refused here: they come from env or the docker config. */
export function parseRegistry(ctx: Ctx, raw: unknown): RegistryConfig {
  const path = ['registry'];
  const r = obj(ctx, path, raw);
  for (const k of SECRET_KEYS) {
    if (k in r) fail(ctx, [...path, k], `credentials do not belong in pipeline.yml`, { key: true, hint: 'credentials come from the environment or docker login (~/.docker/config.json)' });
  }
  keys(ctx, path, r, ['url', 'namespace', 'insecure'], ['url']);
  const url = str(ctx, [...path, 'url'], r.url, 'a registry host[:port] like 127.0.0.1:5000');
  if (/^[a-z]+:\/\//i.test(url)) fail(ctx, [...path, 'url'], `Expected host[:port] without a scheme, got '${cut(url)}'`, { hint: `write ${cut(url.replace(/^[a-z]+:\/\//i, ''))} (and insecure: true for plain HTTP)` });
  if (!HOST.test(url)) fail(ctx, [...path, 'url'], `Expected a registry host[:port] like 127.0.0.1:5000 or ghcr.io, got '${cut(url)}'`);
  const namespace = r.namespace === undefined ? undefined : str(ctx, [...path, 'namespace'], r.namespace);
  if (namespace !== undefined && !NAMESPACE.test(namespace)) fail(ctx, [...path, 'namespace'], `Expected lowercase path components like team or group/project, got '${cut(namespace)}'`);
  return { url, namespace, insecure: r.insecure === undefined ? false : bool(ctx, [...path, 'insecure'], r.insecure) };
}
