import { isRegistryError } from '@pipeline/core';

export interface RetryOptions {
  /** Total attempts including the first (default 7: the waits add up to 6.3–12.6 s, enough for a registry restart). */
  attempts?: number;
  /** First backoff ceiling in ms (default 200); doubles each attempt. */
  baseMs?: number;
  /** Largest single wait in ms (default 10 s). */
  maxMs?: number;
}

const DEFAULT_ATTEMPTS = 7;

/**
 * "Equal jitter" (AWS): half of min(max, base·2^n) fixed, half random. The random half keeps many
 * clients from retrying in step; the fixed half makes the waits add up to a known minimum, so a
 * registry that is down for a few seconds (a restart) is outlasted, not raced.
 */
export function backoffDelay(attempt: number, o: RetryOptions = {}, random: () => number = Math.random): number {
  const ceiling = Math.min(o.maxMs ?? 10_000, (o.baseMs ?? 200) * 2 ** attempt);
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

/** `Retry-After` as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = value.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Errors may carry a server-requested wait (429/503 Retry-After). */
export interface RetryAfterCarrier {
  retryAfterMs?: number;
}

/**
 * THE retry decision, for every loop that retries a registry call: how long to wait before the
 * attempt after `attempt` (0-based) failed with `err`, or undefined to give up. Only temporary
 * RegistryErrors are retried; the server's Retry-After wins over the backoff, capped at 3·maxMs.
 */
export function retryDelay(err: unknown, attempt: number, o: RetryOptions = {}): number | undefined {
  if (!isRegistryError(err) || !err.temporary) return undefined;
  if (attempt + 1 >= Math.max(1, o.attempts ?? DEFAULT_ATTEMPTS)) return undefined;
  const asked = (err as RetryAfterCarrier).retryAfterMs;
  return asked !== undefined ? Math.min(asked, (o.maxMs ?? 10_000) * 3) : backoffDelay(attempt, o);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` until it succeeds or retryDelay says to give up.
 * `onRetry` sees each failure that will be retried (logging, upload bookkeeping).
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions = {}, onRetry?: (err: unknown, attempt: number, waitMs: number) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const wait = retryDelay(err, attempt, o);
      if (wait === undefined) throw err;
      onRetry?.(err, attempt, wait);
      await sleep(wait);
    }
  }
}
