import { silentLogger, type Logger } from '@pipeline/core';
import { Authenticator } from './auth.js';
import { loginFor, type Credentials } from './credentials.js';
import { httpError, isTemporaryStatus, networkError } from './errors.js';
import { baseUrl, send, type BodyFactory, type Sent } from './http.js';
import { registryScheme } from './scheme.js';
import { trustedFetch, type FetchFn } from './trust.js';
import { parseRetryAfter, withRetry, type RetryOptions } from './retry.js';
import { MAX_SMALL_BODY, readLimited } from './streams.js';

export interface RegistryClientOptions {
  /** Overrides Docker's config for this registry. */
  credentials?: Credentials;
  /** Explicit logins by registry (a pool of clients for many registries takes its own from here). */
  logins?: Record<string, Credentials>;
  /** Registries (host[:port]) allowed over plain HTTP besides loopback ones. */
  insecure?: readonly string[];
  retry?: RetryOptions;
  /** Idle timeout: no bytes either way for this long fails the attempt (default 60 s). */
  timeoutMs?: number;
  /** Blobs larger than this are uploaded in chunks of this size (default 16 MiB). */
  chunkSize?: number;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  userAgent?: string;
  /** Bearer tokens by (registry, scope set); share one map between clients of a run. */
  tokenCache?: Map<string, { token: string; expiresAt: number }>;
}

export interface RequestSpec {
  method: string;
  /** `/v2/…` on the registry, or an absolute upload URL the registry returned. */
  path: string;
  query?: Record<string, string | string[] | undefined>;
  headers?: Record<string, string>;
  body?: BodyFactory;
  /** Token scopes this request needs. */
  scopes: readonly string[];
  /** Statuses that count as success; anything else is an error (or retried). */
  expect: readonly number[];
  /** Human description for errors: "PUT manifest app:1.0". */
  action: string;
  repository?: string;
  /** Only safe methods follow redirects (blob GETs redirect to storage). */
  followRedirects?: boolean;
  /** false: one attempt only (the caller restarts at a higher level, e.g. an upload). */
  retry?: boolean;
}

/** The distribution-spec client for one registry: auth, retries, errors. Higher-level calls live beside it. */
export class RegistryClient {
  /** The API origin: https:// until registryScheme has found a registry that may and does speak plain HTTP. */
  base: string;
  readonly auth: Authenticator;
  readonly logger: Logger;
  readonly chunkSize: number;
  private readonly timeoutMs: number;
  /** The registry has answered at least once: from now on a refused connection is a restart, not a wrong address. */
  private reached = false;
  private ready?: Promise<void>;
  private fetchFn?: FetchFn;

  constructor(readonly registry: string, readonly options: RegistryClientOptions = {}) {
    this.base = baseUrl(registry);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.chunkSize = options.chunkSize ?? 16 * 1024 * 1024;
    this.logger = options.logger ?? silentLogger;
    this.auth = new Authenticator(registry, { credentials: options.credentials ?? loginFor(options.logins, registry), env: options.env, insecure: options.insecure, timeoutMs: this.timeoutMs, userAgent: this.userAgent, tokenCache: options.tokenCache, fetch: (url, init) => this.fetchFn!(url, init) });
  }

  get userAgent(): string {
    return this.options.userAgent ?? 'pipeline/0.1';
  }

  url(path: string, query?: RequestSpec['query']): string {
    const u = new URL(path, this.base);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      for (const x of Array.isArray(v) ? v : [v]) u.searchParams.append(k, x);
    }
    return u.toString();
  }

  /** Sends with retries; the caller owns the returned body and must read or cancel it, then call done(). */
  request(spec: RequestSpec): Promise<Sent> {
    return this.retrying(spec, () => this.attempt(spec));
  }

  /**
   * Request and read the whole body (at most `maxBytes`, default 4 MiB: manifests, token and error
   * answers are small). A body cut off mid-way is a temporary error, retried like a failed request.
   */
  async read(spec: RequestSpec & { maxBytes?: number }): Promise<{ res: Response; bytes: Buffer }> {
    return this.retrying(spec, async () => {
      const s = await this.attempt(spec);
      try {
        return { res: s.res, bytes: await readLimited(s, spec.maxBytes ?? MAX_SMALL_BODY, this.registry, spec.action) };
      } catch (e) {
        throw networkError(e, { registry: this.registry, repository: spec.repository, action: spec.action, reached: true });
      } finally {
        s.done();
      }
    });
  }

  /** Convenience: request and read the body as UTF-8 text. */
  async text(spec: RequestSpec): Promise<{ res: Response; text: string }> {
    const { res, bytes } = await this.read(spec);
    return { res, text: bytes.toString('utf8') };
  }

  private retrying<T>(spec: RequestSpec, fn: () => Promise<T>): Promise<T> {
    if (spec.retry === false) return fn();
    return withRetry(fn, this.options.retry, (err, n, wait) => this.logger.debug(`${this.registry}: ${spec.action}: attempt ${n + 1} failed (${(err as Error).message}); retrying in ${wait} ms`));
  }

  /** Once per client: the scheme (TLS first for registries that may speak plain HTTP) and the CAs to trust. */
  private prepare(): Promise<void> {
    if (!this.ready) {
      this.ready = (async () => {
        this.fetchFn = await trustedFetch(this.options.env ?? process.env);
        this.base = baseUrl(this.registry, await registryScheme(this.registry, this.options.insecure));
      })();
      this.ready.catch(() => (this.ready = undefined)); // e.g. an unreadable SSL_CERT_FILE: said now, asked again next time
    }
    return this.ready;
  }

  /** One attempt: 401 → learn the challenge / refresh the token → resend once; then fail. */
  private async attempt(spec: RequestSpec): Promise<Sent> {
    await this.prepare();
    const ctx = { registry: this.registry, repository: spec.repository, action: spec.action, write: !['GET', 'HEAD'].includes(spec.method), reached: this.reached };
    let auth = await this.auth.header(spec.scopes);
    for (let round = 0; ; round++) {
      const headers: Record<string, string> = { 'user-agent': this.userAgent, ...spec.headers };
      if (auth.value) headers.authorization = auth.value;
      let sent: Sent;
      try {
        const body = spec.body ? await spec.body() : undefined;
        sent = await send(this.url(spec.path, spec.query), { method: spec.method, headers, body }, { timeoutMs: this.timeoutMs, followRedirects: spec.followRedirects ?? false, fetch: this.fetchFn });
      } catch (e) {
        throw networkError(e, { ...ctx, reached: this.reached });
      }
      this.reached = true;
      const { res } = sent;
      if (spec.expect.includes(res.status)) return sent;
      const text = spec.method === 'HEAD' ? '' : (await readLimited(sent, MAX_SMALL_BODY, this.registry, spec.action).catch(() => Buffer.alloc(0))).toString('utf8');
      sent.done();
      if (res.status === 401 && round === 0) {
        // Resend once when we sent no auth yet or a cached token (maybe expired/revoked); a fresh one refused is final.
        if (this.auth.learn(res.headers.get('www-authenticate')) && (!auth.value || auth.cached)) {
          this.auth.invalidate(spec.scopes);
          auth = await this.auth.header(spec.scopes, true);
          if (auth.value) continue;
        }
      }
      // Anonymous callers short of scope need credentials, not more rights: keep the 401 hint for them.
      const short = res.status === 401 && Authenticator.insufficientScope(res.headers.get('www-authenticate')) && (await this.auth.hasCredentials());
      const scopeCode = short ? 'INSUFFICIENT_SCOPE' : undefined;
      const err = httpError(res.status, text, ctx, scopeCode);
      if (res.status === 429 || isTemporaryStatus(res.status)) {
        const after = parseRetryAfter(res.headers.get('retry-after'));
        if (after !== undefined) Object.assign(err, { retryAfterMs: after });
      }
      throw err;
    }
  }
}

