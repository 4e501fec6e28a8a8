import { registryHost } from '@pipeline/core';
import type { Scheme } from './scheme.js';
import type { FetchFn } from './trust.js';

/** A request body made afresh for every attempt, so a retry never resends a half-read stream. */
export type BodyFactory = () => Uint8Array | string | AsyncIterable<Uint8Array> | Promise<Uint8Array | string | AsyncIterable<Uint8Array>>;

/** The registry's API origin for a scheme (registryScheme decides which). */
export function baseUrl(registry: string, scheme: Scheme = 'https'): string {
  return `${scheme}://${registryHost(registry)}`;
}

export interface Sent {
  res: Response;
  /** Cancels the request and its body (idle watchdogs use it). */
  abort(reason?: unknown): void;
  /** Restarts the idle timer; called as body bytes move. */
  touch(): void;
  /** Stops the idle timer once the body is consumed. */
  done(): void;
}

/**
 * One HTTP exchange with an idle timeout (reset as body bytes flow either way) and manual
 * redirects: Authorization goes only to the registry's own origin, never to a storage backend.
 */
export async function send(url: string, init: { method: string; headers: Record<string, string>; body?: Uint8Array | string | AsyncIterable<Uint8Array> }, opts: { timeoutMs: number; followRedirects: boolean; fetch?: FetchFn }): Promise<Sent> {
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => ctl.abort(Object.assign(new Error(`no data for ${opts.timeoutMs} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT' })), opts.timeoutMs);
    timer.unref?.();
  };
  const done = (): void => clearTimeout(timer);
  touch();
  let body = init.body;
  if (body && typeof body === 'object' && Symbol.asyncIterator in body) {
    const src = body as AsyncIterable<Uint8Array>;
    body = (async function* () {
      for await (const chunk of src) {
        touch();
        yield chunk;
      }
    })();
  }
  const origin = new URL(url).origin;
  let current = url;
  let headers = init.headers;
  try {
    for (let hop = 0; ; hop++) {
      const res = await (opts.fetch ?? fetch)(current, { method: init.method, headers, body: body as RequestInit['body'], redirect: 'manual', signal: ctl.signal, ...(body && typeof body === 'object' && !(body instanceof Uint8Array) ? { duplex: 'half' } : {}) } as RequestInit);
      const loc = res.headers.get('location');
      if (!opts.followRedirects || ![301, 302, 303, 307, 308].includes(res.status) || !loc || hop >= 5) {
        touch();
        return { res, abort: (r) => ctl.abort(r), touch, done };
      }
      await res.body?.cancel();
      current = new URL(loc, current).toString();
      // A redirect to blob storage carries its own signature; our token must not follow it there.
      if (new URL(current).origin !== origin) {
        const { authorization: _drop, ...rest } = headers;
        headers = rest;
      }
    }
  } catch (e) {
    done();
    throw ctl.signal.aborted && ctl.signal.reason ? Object.assign(ctl.signal.reason as Error, { cause: e }) : e;
  }
}
