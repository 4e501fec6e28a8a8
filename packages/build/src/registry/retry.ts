import { isRegistryError } from '@pipeline/core';

export interface RetryOptions {
  /** Total attempts including the first (default 5). */
  attempts?: number;
  /** First backoff ceiling in ms (default 200); doubles each attempt. */
  baseMs?: number;
  /** Largest single wait in ms (default 10 s). */
  maxMs?: number;
}

/** Full jitter (AWS): a uniform wait in [0, min(max, base·2^n)] keeps many clients from retrying in step. */
export function backoffDelay(attempt: number, o: RetryOptions = {}, random: () => number = Math.random): number {
  const ceiling = Math.min(o.maxMs ?? 10_000, (o.baseMs ?? 200) * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = value.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Errors may carry a server-requested wait (429 Retry-After). */
export interface RetryAfterCarrier {
  retryAfterMs?: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` until it succeeds, a non-temporary error is thrown, or attempts run out.
 * `onRetry` sees each failure that will be retried (logging, upload bookkeeping).
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions = {}, onRetry?: (err: unknown, attempt: number, waitMs: number) => void): Promise<T> {
  const attempts = Math.max(1, o.attempts ?? 5);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const temporary = isRegistryError(err) && err.temporary;
      if (!temporary || attempt + 1 >= attempts) throw err;
      const asked = (err as RetryAfterCarrier).retryAfterMs;
      // Honor the server's Retry-After, but never wait longer than maxMs·3 on its say-so.
      const wait = asked !== undefined ? Math.min(asked, (o.maxMs ?? 10_000) * 3) : backoffDelay(attempt, o);
      onRetry?.(err, attempt, wait);
      await sleep(wait);
    }
  }
}
