import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits `ms`, or less when `signal` aborts (resolving, never rejecting). Node's timer removes its
 * abort listener when it fires: a listener added per wait and never removed is how a long wait
 * loop on one deploy's signal warned MaxListenersExceededWarning.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
