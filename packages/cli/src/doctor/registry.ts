import { isPipelineError, RegistryError } from '@pipeline/core';
import { baseUrl, registryScheme, trustedFetch, dockerConfigPath, loginFor, lookupDockerConfig, normalizeAuthKey, RegistryClient, repoScope, type Credentials } from '@pipeline/build';
import { logins, type Settings } from '../settings/index.js';
import { check, why, type Check } from './check.js';
import type { RegistryTarget } from './plan.js';

/** The credentials a run would use for a registry, and where they come from (settings first, then Docker's config and helpers). */
async function credentialsFor(t: RegistryTarget, s: Settings, env: NodeJS.ProcessEnv): Promise<{ credentials?: Credentials; source?: string }> {
  const explicit = loginFor(logins(s, t.push ? t.registry : undefined), t.registry);
  if (explicit) {
    const same = (r?: string) => !!r && normalizeAuthKey(r) === normalizeAuthKey(t.registry);
    const l = s.login && (same(s.login.registry) || (!s.login.registry && t.push)) ? s.login : s.moreLogins.find((m) => same(m.registry));
    return { credentials: explicit, source: l?.from };
  }
  try {
    return await lookupDockerConfig(t.registry, dockerConfigPath(env), env);
  } catch (e) {
    return { source: `Docker's config: ${why(e)}` };
  }
}

/** The `access` claim of a JWT bearer token (distribution's token format), when it is one. */
function tokenAccess(header: string | undefined): { name: string; actions: string[] }[] | undefined {
  const jwt = header?.startsWith('Bearer ') ? header.slice(7).split('.') : [];
  if (jwt.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(jwt[1], 'base64url').toString('utf8')) as { access?: { name: string; actions: string[] }[] };
    return Array.isArray(claims.access) ? claims.access : undefined;
  } catch {
    return undefined;
  }
}

export interface RegistryResult {
  check: Check;
  /** Registry clock minus ours, in seconds (from its Date header), when it answered. */
  skew?: number;
}

/**
 * Reaches the registry's /v2/ (its Date header gives the clock skew), then authenticates the way a push
 * does (Basic, or a Bearer token for the repository's pull/push scope) with the credentials a run would
 * use, and says where they came from. A push target whose token lacks `push` fails here, not mid-push.
 */
export async function checkRegistry(t: RegistryTarget, s: Settings, env: NodeJS.ProcessEnv): Promise<RegistryResult> {
  const insecure = s.insecure ? [t.registry] : [];
  const what = `${t.push ? 'push' : 'pull'}${t.repository ? ` ${t.repository}` : ''} (${t.why.join('; ')})`;
  // The scheme and the CAs a run would use: TLS first where plain HTTP is allowed, SSL_CERT_FILE honoured.
  const base = baseUrl(t.registry, await registryScheme(t.registry, insecure));
  const t0 = Date.now();
  let res: Response;
  try {
    res = await (await trustedFetch(env))(`${base}/v2/`, { signal: AbortSignal.timeout(10_000), redirect: 'manual' });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { check: check('registry', t.registry, 'fail', `${what}: unreachable at ${base}: ${cause?.code ?? cause?.message ?? why(e)}`, { fix: base.startsWith('https') ? `check the address and that it speaks TLS (a plain-HTTP registry needs insecure: true)` : 'check the address and that the registry runs' }) };
  }
  const skewMs = Date.parse(res.headers.get('date') ?? '') - (t0 + Date.now()) / 2;
  const skew = Number.isFinite(skewMs) ? Math.round(skewMs / 1000) : undefined;
  await res.body?.cancel();
  if (res.status !== 200 && res.status !== 401) return { skew, check: check('registry', t.registry, 'fail', `${what}: ${base}/v2/ answered ${res.status}, not the registry API`, { fix: 'point at the registry itself (the host that serves /v2/)' }) };
  const found = await credentialsFor(t, s, env);
  if (res.status === 200) return { skew, check: check('registry', t.registry, 'ok', `${what}: reachable, no login needed${found.credentials ? ` (the login from ${found.source} is not used)` : ''}`, { source: found.source }) };
  if (!found.credentials && t.push) {
    return { skew, check: check('registry', t.registry, 'fail', `${what}: needs a login and none was found${found.source ? ` (${found.source})` : ''}`, { fix: `give username and password (PIPELINE_REGISTRY_USERNAME/PASSWORD, the plugin's username/password, the Action's inputs) or docker login ${t.registry}` }) };
  }
  const client = new RegistryClient(t.registry, { credentials: found.credentials, insecure, retry: { attempts: 1 }, timeoutMs: 10_000, env });
  const scopes = t.repository ? [repoScope(t.repository, t.push ? ['pull', 'push'] : ['pull'])] : [];
  const who = found.credentials ? ('username' in found.credentials ? `login ${found.credentials.username} from ${found.source}` : `identity token from ${found.source}`) : 'anonymous';
  try {
    const sent = await client.request({ method: 'GET', path: '/v2/', scopes, expect: [200], action: 'GET /v2/', retry: false });
    sent.done();
  } catch (e) {
    const refused = e instanceof RegistryError && e.status === 401;
    const detail = refused ? (found.credentials ? `the ${who} was refused` : 'anonymous access is refused: it needs a login') : why(e);
    return { skew, check: check('registry', t.registry, 'fail', `${what}: ${detail}`, { source: found.source, fix: isPipelineError(e) && e.hint ? e.hint : `check the credentials (${found.source ?? 'none found'})` }) };
  }
  const access = t.push && t.repository ? tokenAccess((await client.auth.header(scopes)).value) : undefined;
  if (access && !access.some((a) => a.name === t.repository && a.actions.includes('push'))) {
    return { skew, check: check('registry', t.registry, 'fail', `${what}: the ${who} may not push to ${t.repository}`, { source: found.source, fix: 'use an account (or token scope) with write access to the repository' }) };
  }
  return { skew, check: check('registry', t.registry, 'ok', `${what}: reachable, ${who} accepted${access ? ', push allowed' : ''}`, { source: found.source }) };
}

/** One line for every registry's clock: tokens carry validity times, so a skewed clock fails logins that look right. */
export function checkClock(results: { registry: string; skew?: number }[]): Check | undefined {
  const known = results.filter((r) => r.skew !== undefined);
  if (!known.length) return undefined;
  const worst = Math.max(...known.map((r) => Math.abs(r.skew!)));
  const list = known.map((r) => `${r.registry} ${r.skew! >= 0 ? '+' : ''}${r.skew} s`).join(', ');
  const status = worst >= 300 ? 'fail' : worst >= 30 ? 'warn' : 'ok';
  return check('clock', 'registries', status, `registry clock minus ours: ${list}`, status === 'ok' ? {} : { fix: 'synchronise this machine\'s clock (NTP): bearer tokens are refused outside their validity window' });
}
