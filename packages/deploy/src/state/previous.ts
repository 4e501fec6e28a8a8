import type { Digest } from '@pipeline/core';
import type { Instance } from '../model/instance.js';
import type { Version } from '../model/target.js';

/** The version to return to: what most running instances not at `digest` run, else their recorded previous. */
export function previousDigest(instances: readonly Instance[], digest: Digest): Digest | undefined {
  const counts = new Map<Digest, number>();
  for (const i of instances) if (i.running && i.digest !== digest) counts.set(i.digest, (counts.get(i.digest) ?? 0) + 1);
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (best) return best[0];
  return instances.find((i) => i.digest === digest && i.previous)?.previous;
}

/** The version a deploy of `digest` replaces (its rollback target), with the SHA and repository the instances record. */
export function previousVersion(instances: readonly Instance[], digest: Digest): Version | undefined {
  const d = previousDigest(instances, digest);
  if (!d) return undefined;
  const i = instances.find((x) => x.digest === d);
  return { digest: d, sha: i?.sha, image: i?.image };
}
