import type { Digest } from '@pipeline/core';
import type { Target } from '../target/target.js';

export interface PruneResult { containers: string[]; images: string[]; kept: Digest[] }

/**
 * Keeps the last `keep` deployed versions (by their newest container), always the running ones and
 * their recorded rollback targets; removes stopped containers and images of every other version.
 */
export async function prune(target: Target, o: { keep: number }): Promise<PruneResult> {
  const all = await target.list();
  const newest = new Map<Digest, string>();
  for (const i of all) if ((newest.get(i.digest) ?? '') < i.createdAt) newest.set(i.digest, i.createdAt);
  const byAge = [...newest].sort((a, b) => b[1].localeCompare(a[1])).map(([d]) => d);
  const kept = new Set<Digest>(byAge.slice(0, o.keep));
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
