import { hostname } from 'node:os';
import { DeployError, type Logger } from '@pipeline/core';
import type { LockInfo, Target } from '../target/target.js';

export interface LockOptions { wait: number; stale: number; logger: Logger; signal?: AbortSignal }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stale: older than the stale timeout, or taken on this machine by a process that is gone (kill -9, crash). */
export function isStale(l: LockInfo, staleMs: number, now = Date.now()): boolean {
  if (now - Date.parse(l.time) > staleMs) return true;
  return l.machine === hostname() && l.pid !== undefined && l.pid !== process.pid && !alive(l.pid);
}

/**
 * Takes the environment's lock on every host, in host order (so two deploys cannot deadlock).
 * Waits up to `wait` ms for a holder to finish; returns the release function.
 */
export async function acquireLock(target: Target, info: Omit<LockInfo, 'host'>, o: LockOptions): Promise<() => Promise<void>> {
  const me = { machine: hostname(), pid: process.pid, ...info };
  const t0 = Date.now();
  let announced = false;
  for (;;) {
    const taken: string[] = [];
    let holder: LockInfo | undefined;
    for (const host of [...target.hosts].sort()) {
      let h = await target.lock(host, { ...me, host });
      if (h && isStale(h, o.stale)) {
        o.logger.warn(`${host}: breaking the stale deploy lock of ${h.owner} (${h.deployId}, taken ${h.time})`);
        await target.unlock(host);
        h = await target.lock(host, { ...me, host });
      }
      if (h) {
        holder = h;
        break;
      }
      taken.push(host);
    }
    if (!holder) return () => releaseOwn(target, me.deployId, taken);
    await releaseOwn(target, me.deployId, taken);
    if (Date.now() - t0 >= o.wait || o.signal?.aborted) {
      throw new DeployError(`environment is locked by ${holder.owner} since ${holder.time} on ${holder.host}: ${holder.message || '(no message)'} (deploy ${holder.deployId})`, {
        exitCode: 1,
        state: { lock: holder },
        hint: o.wait ? `waited ${Math.round(o.wait / 1000)} s; try again later, or release it with the lock release command if that deploy is dead` : 'wait for it (lockWait) or release it with the lock release command if that deploy is dead',
      });
    }
    if (!announced) o.logger.info(`waiting for the deploy lock held by ${holder.owner} (${holder.deployId})`);
    announced = true;
    await sleep(300 + Math.random() * 400);
  }
}

async function releaseOwn(target: Target, deployId: string, hosts: string[]): Promise<void> {
  await Promise.all(hosts.map(async (h) => {
    const l = await target.readLock(h);
    if (l?.deployId === deployId) await target.unlock(h);
  }));
}

/** Who holds the lock, per host. */
export async function lockStatus(target: Target): Promise<Record<string, LockInfo | undefined>> {
  const out: Record<string, LockInfo | undefined> = {};
  for (const h of target.hosts) out[h] = await target.readLock(h);
  return out;
}

/** Forcibly releases the lock on every host (an operator's decision). */
export async function releaseLock(target: Target): Promise<void> {
  await Promise.all(target.hosts.map((h) => target.unlock(h)));
}
