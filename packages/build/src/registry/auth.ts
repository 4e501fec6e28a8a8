import { addSecret, isLoopbackRegistry, parseJsonObject, RegistryError } from '@pipeline/core';
import { parseChallenge, scopeKey, type Challenge } from './challenge.js';
import { resolveCredentials, type Credentials } from './credentials.js';
import { httpError, networkError } from './errors.js';
import { send } from './http.js';
import type { FetchFn } from './trust.js';
import { MAX_SMALL_BODY, readLimited } from './streams.js';

interface CachedToken {
  token: string;
  expiresAt: number;
}

export interface AuthOptions {
  credentials?: Credentials;
  env?: NodeJS.ProcessEnv;
  insecure?: readonly string[];
  timeoutMs: number;
  userAgent: string;
  /** Token cache shared between clients (per registry + scope set), e.g. for a whole push. */
  tokenCache?: Map<string, CachedToken>;
  now?: () => number;
  /** The fetch that trusts the configured CAs (the client's). */
  fetch?: FetchFn;
}

/** What the authenticator answers: a header (or none) and whether it came from the cache. */
export interface AuthHeader {
  value?: string;
  cached: boolean;
}

/**
 * Speaks the challenge a registry sends: Basic gets the credentials, Bearer gets a token for
 * exactly the scopes of the request, cached per (registry, scope set) until `expires_in`.
 */
export class Authenticator {
  private challenge?: Challenge;
  private creds?: Promise<Credentials | undefined>;
  private readonly tokens: Map<string, CachedToken>;
  private readonly now: () => number;
  /** Token requests made, for tests and the debug log. */
  tokenRequests = 0;
  /** As RegistryClient's `reached`: after a first answer, a refused token request is a restart. */
  private tokenServerReached = false;

  constructor(readonly registry: string, private readonly o: AuthOptions) {
    this.tokens = o.tokenCache ?? new Map();
    this.now = o.now ?? Date.now;
  }

  private credentials(): Promise<Credentials | undefined> {
    return (this.creds ??= resolveCredentials(this.registry, this.o.credentials, this.o.env));
  }

  async hasCredentials(): Promise<boolean> {
    return (await this.credentials()) !== undefined;
  }

  /** Learns the scheme from a 401; true when the challenge is one we can answer. */
  learn(wwwAuthenticate: string | null): boolean {
    const c = parseChallenge(wwwAuthenticate);
    if (!c || (c.scheme !== 'basic' && c.scheme !== 'bearer')) return false;
    this.challenge = c;
    return true;
  }

  /** The spec's `error="insufficient_scope"` in a Bearer challenge: the token lacks an action. */
  static insufficientScope(wwwAuthenticate: string | null): boolean {
    return parseChallenge(wwwAuthenticate)?.params.error === 'insufficient_scope';
  }

  invalidate(scopes: readonly string[]): void {
    this.tokens.delete(`${this.registry} ${scopeKey(scopes)}`);
  }

  /** The Authorization value for a request needing `scopes`; `fresh` skips the token cache. */
  async header(scopes: readonly string[], fresh = false): Promise<AuthHeader> {
    const c = this.challenge;
    if (!c) return { cached: false };
    if (c.scheme === 'basic') {
      const cr = await this.credentials();
      if (!cr || !('password' in cr)) return { cached: false };
      const v = Buffer.from(`${cr.username}:${cr.password}`).toString('base64');
      addSecret(v);
      return { value: `Basic ${v}`, cached: false };
    }
    const key = `${this.registry} ${scopeKey(scopes)}`;
    const hit = this.tokens.get(key);
    if (!fresh && hit && hit.expiresAt > this.now()) return { value: `Bearer ${hit.token}`, cached: true };
    const t = await this.fetchToken(c, scopes);
    this.tokens.set(key, t);
    return { value: `Bearer ${t.token}`, cached: false };
  }

  private async fetchToken(c: Challenge, scopes: readonly string[]): Promise<CachedToken> {
    const realm = c.params.realm;
    const ctx = { registry: this.registry, action: 'token request' };
    if (!realm) throw new RegistryError(this.registry, 'Bearer challenge has no realm', { exitCode: 1 });
    const url = new URL(realm);
    const cr = await this.credentials();
    // Credentials travel only over TLS, except to loopback or registries the user marked insecure.
    if (cr && url.protocol !== 'https:' && !isLoopbackRegistry(url.host) && !(this.o.insecure ?? []).includes(this.registry)) {
      throw new RegistryError(this.registry, `refusing to send credentials to the plain-HTTP token server ${url.origin}`, { hint: `add ${this.registry} to the insecure registries only on a trusted network` });
    }
    const headers: Record<string, string> = { 'user-agent': this.o.userAgent, accept: 'application/json' };
    let method = 'GET';
    let body: string | undefined;
    const service = c.params.service;
    if (cr && 'identityToken' in cr) {
      // An identity token is an OAuth2 refresh token: POST it (the token spec's OAuth flow).
      method = 'POST';
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: cr.identityToken, client_id: 'pipeline', ...(service ? { service } : {}) });
      if (scopes.length) form.set('scope', scopes.join(' '));
      body = form.toString();
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (cr) headers.authorization = `Basic ${Buffer.from(`${cr.username}:${cr.password}`).toString('base64')}`;
    }
    this.tokenRequests++;
    let sent;
    try {
      sent = await send(url.toString(), { method, headers, body }, { timeoutMs: this.o.timeoutMs, followRedirects: false, fetch: this.o.fetch });
    } catch (e) {
      throw networkError(e, { ...ctx, reached: this.tokenServerReached });
    }
    this.tokenServerReached = true;
    let text: string;
    try {
      text = (await readLimited(sent, MAX_SMALL_BODY, this.registry, 'token request')).toString('utf8');
    } catch (e) {
      throw networkError(e, { ...ctx, reached: true });
    } finally {
      sent.done();
    }
    if (!sent.res.ok) throw httpError(sent.res.status, text, ctx);
    const j = parseJsonObject<{ token?: unknown; access_token?: unknown; expires_in?: number; issued_at?: string }>(text, () => new RegistryError(this.registry, `the token server ${url.origin} answered something other than a JSON object`, { exitCode: 1 }));
    const token = j.token ?? j.access_token;
    if (!token || typeof token !== 'string') throw new RegistryError(this.registry, 'token server answered without a token', { exitCode: 1 });
    addSecret(token);
    // The spec's default lifetime is 60 s; renew 10% early so a token never expires mid-request.
    const ttl = (j.expires_in && j.expires_in > 0 ? j.expires_in : 60) * 1000;
    const issued = j.issued_at ? Date.parse(j.issued_at) : NaN;
    const start = Number.isNaN(issued) ? this.now() : Math.min(issued, this.now());
    return { token, expiresAt: start + ttl * 0.9 };
  }
}
