import { withTag, type Digest, type Reference } from '@pipeline/core';
import type { RegistryClient } from './client.js';
import { getManifest, resolve } from './manifests.js';

export interface TagState {
  digest: Digest;
  mediaType: string;
  size: number;
  /** The manifest's annotations (an index's, for a multi-platform image). */
  annotations: Record<string, string>;
}

/**
 * What each tag points at, with the manifest's annotations: one HEAD per tag (in parallel), one GET
 * per distinct manifest. Absent tags map to undefined.
 */
export async function readTagStates(client: RegistryClient, ref: Reference, tags: readonly string[]): Promise<Map<string, TagState | undefined>> {
  const heads = await Promise.all(tags.map(async (t) => [t, await resolve(client, withTag(ref, t))] as const));
  const bodies = new Map<string, Promise<Record<string, string>>>();
  for (const [, d] of heads) {
    if (d && !bodies.has(d.digest)) bodies.set(d.digest, getManifest(client, { registry: ref.registry, repository: ref.repository, digest: d.digest }).then((m) => (m.manifest as { annotations?: Record<string, string> }).annotations ?? {}));
  }
  const out = new Map<string, TagState | undefined>();
  for (const [t, d] of heads) out.set(t, d ? { digest: d.digest, mediaType: d.mediaType, size: d.size, annotations: await bodies.get(d.digest)! } : undefined);
  return out;
}
