import type { Digest } from '@pipeline/core';
import type { Instance, Target } from '../target/target.js';
import { history, lastResults } from './history.js';

export interface PruneResult { containers: string[]; images: string[]; kept: Digest[] }

/** Engine states of a container that will not run again by itself: nothing but the rollback target's needs keeping. */
const STOPPED = new Set(['exited', 'created', 'dead']);

/**
 * Images: keeps those of the last `keep` good deployed versions (by the history, then by their newest
 * container), always the running ones and their recorded rollback targets, and removes the others.
 * Containers: removes every stopped one (exited, or never started after a killed deploy) except, per
 * host, the newest of the rollback target – as many as run on that host, ones that ran first.
 */
export async function prune(target: Target, o: { keep: number }): Promise<PruneResult> {
  const all = await target.list();
  const past = await history(target, 500);
  // A version counts by its last deploy in the history: one that failed or was rolled back is
  // not a version worth keeping over an older good one. Versions the history does not know
  // (older than it) follow by their newest container.
  const lastResult = lastResults(past);
  const goodByHistory = [...new Set(past.filter((e) => e.result === 'ok').map((e) => e.to.digest))].filter((d) => lastResult.get(d) === 'ok');
  const newest = new Map<Digest, string>();
  for (const i of all) if ((newest.get(i.digest) ?? '') < i.createdAt) newest.set(i.digest, i.createdAt);
  const unknownByAge = [...newest].sort((a, b) => b[1].localeCompare(a[1])).map(([d]) => d).filter((d) => !lastResult.has(d));
  const kept = new Set<Digest>([...goodByHistory, ...unknownByAge].slice(0, o.keep));
  const rollbackTargets = new Set<Digest>();
  for (const i of all) {
    if (!i.running) continue;
    kept.add(i.digest);
    if (i.previous) {
      kept.add(i.previous);
      rollbackTargets.add(i.previous);
    }
  }
  const out: PruneResult = { containers: [], images: [], kept: [...kept] };
  for (const i of stoppedToRemove(all, rollbackTargets)) {
    await target.remove(i);
    out.containers.push(`${i.host} ${i.name}`);
  }
  for (const host of target.hosts) {
    for (const img of await target.images(host)) {
      if (img.digests.some((d) => kept.has(d))) continue;
      await target.removeImage(host, img.id);
      out.images.push(`${host} ${img.digests.join(',')}`);
    }
  }
  return out;
}

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
