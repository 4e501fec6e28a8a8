import type { Digest } from '@pipeline/core';
import type { Target } from '../target/target.js';
import { history, lastResults } from './history.js';

export interface PruneResult { containers: string[]; images: string[]; kept: Digest[] }

/**
 * Keeps the last `keep` good deployed versions (by the history, then by their newest container),
 * always the running ones and their recorded rollback targets; removes stopped containers and
 * images of every other version.
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
  for (const i of all) {
    if (!i.running) continue;
    kept.add(i.digest);
    if (i.previous) kept.add(i.previous);
  }
  const out: PruneResult = { containers: [], images: [], kept: [...kept] };
  for (const i of all) {
    if (i.running || kept.has(i.digest)) continue;
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
