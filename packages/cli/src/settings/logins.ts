import type { Credentials } from '@pipeline/build';
import type { Settings } from './resolve.js';

/**
 * The explicit registry logins of a run, by registry, for @pipeline/build's clients (which fall back
 * to Docker's config and credential helpers for every other registry). The login of the settings goes
 * to its registry only: a password never travels to a registry it was not given for.
 */
export function logins(s: Settings, pushRegistry?: string): Record<string, Credentials> {
  const l = s.login;
  const registry = l?.registry ?? pushRegistry;
  return l && registry ? { [registry]: { username: l.username, password: l.password } } : {};
}
