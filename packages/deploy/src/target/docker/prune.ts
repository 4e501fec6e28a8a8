import type { Digest } from '@pipeline/core';
import type { Instance } from '../../model/instance.js';

/** Engine states of a container that will not run again by itself: nothing but the rollback target's needs keeping. */
const STOPPED = new Set(['exited', 'created', 'dead']);

/** Stopped containers to remove: all but, per host, the newest `running` ones of a rollback target (those that ran first). */
export function stoppedToRemove(all: readonly Instance[], rollbackTargets: ReadonlySet<Digest>): Instance[] {
  const stopped = all.filter((i) => !i.running && STOPPED.has(i.state ?? 'exited'));
  const keep = new Set<Instance>();
  for (const host of new Set(all.map((i) => i.host))) {
    const slots = all.filter((i) => i.host === host && i.running).length;
    const candidates = stopped
      .filter((i) => i.host === host && rollbackTargets.has(i.digest))
      .sort((a, b) => Number(a.state === 'created') - Number(b.state === 'created') || b.createdAt.localeCompare(a.createdAt));
    for (const i of candidates.slice(0, slots)) keep.add(i);
  }
  return stopped.filter((i) => !keep.has(i));
}
