import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, type Logger } from '@pipeline/core';
import { commandCheck } from './command.js';
import { httpCheck } from './http.js';
import type { VerifyConfig, VerifyTarget, VerifyVerdict } from './types.js';

/** Checks (HTTP, then the command) until all pass once or the deadline passes; the verdict says what was last seen. */
export async function verifyRollout(v: VerifyConfig, want: VerifyTarget, o: { signal?: AbortSignal; logger?: Logger } = {}): Promise<VerifyVerdict> {
  const log = o.logger ?? silentLogger;
  const t0 = Date.now();
  const deadline = t0 + v.timeout;
  let attempts = 0;
  let reason = 'not checked';
  for (;;) {
    attempts++;
    const left = () => Math.max(1, deadline - Date.now());
    let ok = true;
    if (v.http) {
      const r = await httpCheck(v.http, want, Math.min(10_000, left()), o.signal);
      ok = r.ok;
      reason = r.detail;
    }
    if (ok && v.command) {
      const r = await commandCheck(v.command, want, left(), o.signal);
      ok = r.ok;
      reason = r.detail;
    }
    if (ok) return { ok: true, reason, attempts, ms: Date.now() - t0 };
    log.debug(`verify: ${reason}`);
    if (o.signal?.aborted) return { ok: false, reason: `interrupted; last: ${reason}`, attempts, ms: Date.now() - t0 };
    if (Date.now() + v.interval >= deadline) return { ok: false, reason: `not verified within ${Math.round(v.timeout / 1000)} s; last: ${reason}`, attempts, ms: Date.now() - t0 };
    await sleep(v.interval, undefined, { signal: o.signal }).catch(() => undefined);
  }
}
