import { RegistryError } from '@pipeline/core';
import { tlsProblem } from './tls-errors.js';

/** One entry of the spec's `{"errors":[…]}` body. */
export interface SpecError {
  code: string;
  message?: string;
  detail?: unknown;
}

/** Reads the spec's error body; registries and proxies that answer HTML yield []. */
export function parseSpecErrors(body: string): SpecError[] {
  try {
    const j = JSON.parse(body) as { errors?: unknown };
    if (!Array.isArray(j.errors)) return [];
    return j.errors.filter((e): e is SpecError => !!e && typeof (e as SpecError).code === 'string');
  } catch {
    return [];
  }
}

/** Statuses worth another attempt: throttling and server-side trouble. */
export const isTemporaryStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

export interface HttpErrorContext {
  registry: string;
  repository?: string;
  /** What we were doing, e.g. "HEAD blob sha256:…" – never a URL with credentials. */
  action: string;
  /** A write (push) rather than a read: changes the access hint. */
  write?: boolean;
  /** The registry answered before: a refused connection now means it is restarting, not that the address is wrong. */
  reached?: boolean;
}

function hintFor(status: number, ctx: HttpErrorContext, code: string | undefined, body: string): string | undefined {
  // Go's and nginx's answers when plain HTTP reaches a TLS port.
  if (status === 400 && /HTTP request to an HTTPS server|plain HTTP request was sent to HTTPS port/i.test(body)) return `${ctx.registry} speaks HTTPS on this port: drop it from the insecure registries, and trust its CA (NODE_EXTRA_CA_CERTS or SSL_CERT_FILE) if it is private`;
  if ((status === 401 && code === 'INSUFFICIENT_SCOPE') || status === 403) return `the account lacks ${ctx.write === false ? 'pull' : 'push'} access to ${ctx.repository ?? 'this repository'}`;
  if (status === 401) return `check the credentials for ${ctx.registry} (docker login ${ctx.registry} or PIPELINE_REGISTRY_USERNAME/PASSWORD)`;
  if (status === 429) return `${ctx.registry} is throttling requests; retry later or lower the push concurrency`;
  return undefined;
}

/** Turns a non-2xx answer into a RegistryError with the spec's code and a one-line hint. */
export function httpError(status: number, body: string, ctx: HttpErrorContext, codeOverride?: string): RegistryError {
  const errs = parseSpecErrors(body);
  const code = codeOverride ?? errs[0]?.code;
  const detail = errs.map((e) => `${e.code}${e.message ? `: ${e.message}` : ''}`).join('; ');
  const temporary = isTemporaryStatus(status);
  const msg = `${ctx.action} failed: HTTP ${status}${detail ? ` (${detail})` : ''}`;
  // Auth failures and missing access are the user's setup (exit 2); server trouble is the job failing (exit 1).
  const exitCode = temporary ? 1 : status === 404 || status === 401 || status === 403 || status === 400 ? 2 : 1;
  return new RegistryError(ctx.registry, msg, { status, code, temporary, hint: hintFor(status, ctx, code, body), exitCode });
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);
const TEMP_CODES = new Set(['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED', 'TIMEOUT', 'ABORT_ERR']);

/** The message of the innermost error (undici wraps the socket/TLS error in `cause`). */
function innermostMessage(err: unknown): string {
  let e: unknown = err;
  let msg = '';
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    if (typeof (e as Error).message === 'string') msg = (e as Error).message;
    e = (e as { cause?: unknown }).cause;
  }
  return msg;
}

/** The innermost error code of a fetch failure (undici wraps the socket error in `cause`). */
export function networkCode(err: unknown): string | undefined {
  let e: unknown = err;
  let code: string | undefined;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') code = c;
    if ((e as Error).name === 'TimeoutError') code ??= 'TIMEOUT';
    e = (e as { cause?: unknown }).cause;
  }
  return code;
}

/** Maps a connection-level failure to a RegistryError: temporary for resets/timeouts, a hint for DNS/refused/TLS. */
export function networkError(err: unknown, ctx: HttpErrorContext): RegistryError {
  if (err instanceof RegistryError) return err;
  const code = networkCode(err) ?? 'UNKNOWN';
  const reason = (err as Error)?.message === 'fetch failed' ? code : `${code}: ${(err as Error)?.message ?? String(err)}`;
  if (CONNECT_CODES.has(code) && ctx.reached) {
    return new RegistryError(ctx.registry, `${ctx.action} failed: cannot connect (${code}) after the registry had answered`, { code, cause: err, temporary: true, hint: `${ctx.registry} went away mid-run (a restart?); it was retried with backoff` });
  }
  if (CONNECT_CODES.has(code)) {
    return new RegistryError(ctx.registry, `${ctx.action} failed: cannot connect (${code})`, {
      code,
      cause: err,
      exitCode: 2,
      hint: `is ${ctx.registry} reachable? Check the host name and port, and that the registry is running`,
    });
  }
  const tls = tlsProblem(code, innermostMessage(err), ctx.registry);
  if (tls) return new RegistryError(ctx.registry, `${ctx.action} failed: ${tls.what}`, { code, cause: err, exitCode: 2, hint: tls.hint });
  return new RegistryError(ctx.registry, `${ctx.action} failed: connection error (${reason})`, { code, cause: err, temporary: TEMP_CODES.has(code) || code === 'UNKNOWN' });
}
