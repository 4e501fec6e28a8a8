import { Readable } from 'node:stream';
import { sha256, type Digest, type Reference } from '@pipeline/core';
import type { Descriptor } from '../model/types.js';
import { MediaType } from '../model/media-types.js';
import { BlobPusher } from './blob-pusher.js';
import type { RegistryClient } from './client.js';
import { getManifest, putManifest, resolve } from './manifests.js';

const EMPTY = Buffer.from('{}');

/**
 * The tag an artifact about an image lives under where the registry has no referrers API:
 * cosign's scheme, `sha256-<hex>.<suffix>` beside the image (`.sig`, `.att`; pipeline's `.tests`).
 */
export const subjectTag = (digest: string, suffix: string): string => `${digest.replace(':', '-')}.${suffix}`;

/**
 * Writes a small OCI artifact about `subject` (its data as one blob, the empty config, annotations)
 * and points `tag` at it. OCI 1.1's `subject` is set too, for registries with the referrers API.
 */
export async function putArtifact(client: RegistryClient, ref: Reference, a: { subject: Descriptor; tag: string; artifactType: string; data: Buffer; annotations?: Record<string, string> }): Promise<Digest> {
  const pusher = new BlobPusher(client, ref.repository);
  const blob = { digest: sha256(a.data), size: a.data.length };
  const empty = { digest: sha256(EMPTY), size: EMPTY.length };
  await Promise.all([
    pusher.ensure({ ...blob, kind: 'layer', open: async () => Readable.from([a.data]) }),
    pusher.ensure({ ...empty, kind: 'config', open: async () => Readable.from([EMPTY]) }),
  ]);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    artifactType: a.artifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
    layers: [{ mediaType: a.artifactType, ...blob }],
    subject: { mediaType: a.subject.mediaType, digest: a.subject.digest, size: a.subject.size },
    ...(a.annotations ? { annotations: a.annotations } : {}),
  };
  return putManifest(client, { ...ref, tag: a.tag, digest: undefined }, Buffer.from(JSON.stringify(manifest)), MediaType.ociManifest);
}

/** The annotations of the artifact under `tag`, undefined when there is none. */
export async function artifactAnnotations(client: RegistryClient, ref: Reference, tag: string): Promise<Record<string, string> | undefined> {
  const r = { ...ref, tag, digest: undefined };
  if (!(await resolve(client, r))) return undefined;
  const m = await getManifest(client, r);
  return (m.manifest as { annotations?: Record<string, string> }).annotations ?? {};
}
