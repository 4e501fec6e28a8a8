import type { Credentials } from '@pipeline/build';
import type { Settings } from './resolve.js';

/**
 * The explicit registry logins of a run, by registry, for @pipeline/build's clients (which fall back
 * to Docker's config and credential helpers for every other registry). The login of the settings goes
 * to its registry only: a password never travels to a registry it was not given for. The CI plugin's
 * further logins (docker_config_json, logins) each go to their own registry; the main login wins.
 */
export function logins(s: Pick<Settings, 'login' | 'moreLogins'>, pushRegistry?: string): Record<string, Credentials> {
  const out: Record<string, Credentials> = {};
  for (const l of s.moreLogins ?? []) out[l.registry!] = { username: l.username, password: l.password };
  const l = s.login;
  const registry = l?.registry ?? pushRegistry;
  if (l && registry) out[registry] = { username: l.username, password: l.password };
  return out;
}
