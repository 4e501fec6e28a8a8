import { hostname } from 'node:os';
import { DeployError, type Logger } from '@pipeline/core';
import type { LockInfo, StateStore } from '../model/store.js';
import { sleep } from '../util/sleep.js';

export interface LockOptions { wait: number; stale: number; logger: Logger; signal?: AbortSignal }

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
 * Takes the environment's lock in the target's state store, breaking a stale holder's.
 * Waits up to `wait` ms for a live holder to finish; returns the release function.
 */
export async function acquireLock(target: { store: StateStore }, info: Omit<LockInfo, 'host' | 'machine' | 'pid'>, o: LockOptions): Promise<() => Promise<void>> {
  const store = target.store;
  const me = { machine: hostname(), pid: process.pid, ...info };
  const t0 = Date.now();
  let announced = false;
  for (let broken = 0; ;) {
    const holder = await store.lock(me);
    if (!holder) return () => store.unlock({ deployId: me.deployId });
    if (isStale(holder, o.stale) && broken++ < 10) {
      o.logger.warn(`${holder.host}: breaking the stale deploy lock of ${holder.owner} (${holder.deployId}, taken ${holder.time})`);
      await store.unlock({ deployId: holder.deployId, host: holder.host });
      continue;
    }
    if (Date.now() - t0 >= o.wait || o.signal?.aborted) {
      throw new DeployError(`environment is locked by ${holder.owner} since ${holder.time} on ${holder.host}: ${holder.message || '(no message)'} (deploy ${holder.deployId})`, {
        exitCode: 1,
        state: { lock: holder },
        hint: o.wait ? `waited ${Math.round(o.wait / 1000)} s; try again later, or release it with the lock release command if that deploy is dead` : 'wait for it (lockWait) or release it with the lock release command if that deploy is dead',
      });
    }
    if (!announced) o.logger.info(`waiting for the deploy lock held by ${holder.owner} (${holder.deployId})`);
    announced = true;
    await sleep(300 + Math.random() * 400, o.signal);
  }
}

/** Who holds the lock, per place it is kept (host, Swarm). */
export function lockStatus(target: { store: StateStore }): Promise<Record<string, LockInfo | undefined>> {
  return target.store.locks();
}

/** Forcibly releases the lock everywhere (an operator's decision). */
export function releaseLock(target: { store: StateStore }): Promise<void> {
  return target.store.unlock();
}
