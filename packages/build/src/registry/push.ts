import { RegistryError, withTag, type Digest, type Reference } from '@pipeline/core';
import { configBlob, manifestBlob, type Image } from '../model/image.js';
import type { ManifestFlavor } from '../model/media-types.js';
import { hasBlob } from './blobs.js';
import { BlobPusher, type BlobJob } from './blob-pusher.js';
import type { RegistryClient } from './client.js';
import { putManifest, resolve } from './manifests.js';
import { mapBounded } from './pool.js';
import { Readable } from 'node:stream';

export interface PushProgress {
  digest: Digest;
  kind: 'layer' | 'config';
  status: 'exists' | 'mounting' | 'mounted' | 'uploading' | 'uploaded';
  sent: number;
  total: number;
}

export interface PushOptions {
  /** Tags to point at the manifest; none → pushed by digest only (or ref.tag when given). */
  tags?: readonly string[];
  flavor?: ManifestFlavor;
  /** Blobs in flight at once (default 3). */
  concurrency?: number;
  /** Overwrite immutable tags that point elsewhere. */
  force?: boolean;
  /** Tags that must never move once written (version tags of base images). */
  immutableTags?: (tag: string) => boolean;
  onProgress?: (p: PushProgress) => void;
  /** Blobs may already be under way (started while the image was being built). */
  pusher?: BlobPusher;
}

export interface PushResult {
  digest: Digest;
  mediaType: string;
  /** Bytes handed to the registry for blobs (0 when everything was there). */
  uploadedBytes: number;
  mountedBlobs: number;
  skippedBlobs: number;
  /** Tags written (immutable tags already at this digest are not rewritten). */
  tags: string[];
}

/**
 * Pushes an image: every blob is skipped, mounted, streamed from its source registry or uploaded,
 * and only when all are confirmed present are the manifest and then each tag written.
 */
export async function pushImage(client: RegistryClient, image: Image, ref: Reference, opts: PushOptions = {}): Promise<PushResult> {
  const repo = ref.repository;
  const flavor = opts.flavor ?? 'oci';
  const config = configBlob(image, flavor);
  const manifest = manifestBlob(image, flavor);
  const tags = opts.tags?.length ? [...opts.tags] : ref.tag ? [ref.tag] : [];
  const writeTags = await checkImmutable(client, ref, tags, manifest.digest, opts);

  const result: PushResult = { digest: manifest.digest, mediaType: manifest.descriptor.mediaType, uploadedBytes: 0, mountedBlobs: 0, skippedBlobs: 0, tags: writeTags };
  const seen = new Set<string>();
  const jobs: BlobJob[] = [];
  for (const l of image.layers) {
    if (seen.has(l.digest)) continue;
    seen.add(l.digest);
    jobs.push({ digest: l.digest, size: l.size, kind: 'layer', location: l.location, open: () => l.open() });
  }
  jobs.push({ digest: config.digest, size: config.bytes.length, kind: 'config', open: async () => Readable.from([config.bytes]) });

  const unconfirmed: Digest[] = [];
  const pusher = opts.pusher ?? new BlobPusher(client, repo);
  await mapBounded(jobs, opts.concurrency ?? 3, async (job) => {
    const report = (status: PushProgress['status'], sent: number): void => opts.onProgress?.({ digest: job.digest, kind: job.kind, status, sent, total: job.size });
    const r = await pusher.ensure(job, report);
    result.uploadedBytes += r.sent;
    if (r.status === 'exists') result.skippedBlobs++;
    if (r.status === 'mounted') result.mountedBlobs++;
    if (!r.confirmed) unconfirmed.push(job.digest);
    report(r.status, r.sent);
  });

  // The registry did not echo the digest for these: check before anything can point at them.
  for (const d of unconfirmed) {
    if (!(await hasBlob(client, repo, d))) throw new RegistryError(client.registry, `blob ${d} is missing from ${repo} after upload`, { code: 'BLOB_UNKNOWN', exitCode: 1 });
  }
  await putManifest(client, { registry: ref.registry, repository: repo, digest: manifest.digest }, manifest.bytes, manifest.descriptor.mediaType);
  for (const tag of writeTags) await putManifest(client, withTag(ref, tag), manifest.bytes, manifest.descriptor.mediaType);
  return result;
}

/** Refuses before any upload if an immutable tag points elsewhere; drops those already at this digest. */
async function checkImmutable(client: RegistryClient, ref: Reference, tags: string[], digest: Digest, opts: PushOptions): Promise<string[]> {
  if (!opts.immutableTags) return tags;
  const out: string[] = [];
  for (const tag of tags) {
    if (!opts.immutableTags(tag)) {
      out.push(tag);
      continue;
    }
    const current = await resolve(client, withTag(ref, tag));
    if (!current) out.push(tag);
    else if (current.digest !== digest && opts.force) out.push(tag);
    else if (current.digest !== digest) {
      throw new RegistryError(client.registry, `tag ${ref.repository}:${tag} is immutable and already points to ${current.digest}, not ${digest}`, {
        code: 'TAG_IMMUTABLE',
        exitCode: 2,
        hint: 'bump the version tag, or pass --force to move it (every image built on it will change)',
      });
    }
  }
  return out;
}
