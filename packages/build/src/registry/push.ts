import { RegistryError, withTag, type Digest, type Reference } from '@pipeline/core';
import { configBlob, manifestBlob, type Image } from '../model/image.js';
import type { Manifest } from '../model/types.js';
import { writeTags, type ManifestBytes, type TagsBefore } from './tag-writer.js';
import type { ManifestFlavor } from '../model/media-types.js';
import { getBlob, hasBlob } from './blobs.js';
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
  /** The manifest's size in bytes (with digest and media type: a descriptor of the pushed image). */
  size: number;
  /** Bytes handed to the registry for blobs (0 when everything was there). */
  uploadedBytes: number;
  mountedBlobs: number;
  skippedBlobs: number;
  /** Tags written (tags already at this digest are not rewritten). */
  tags: string[];
}

/**
 * Pushes an image: every blob is skipped, mounted, streamed from its source registry or uploaded,
 * and only when all are confirmed present are the manifest and then the tags written (tag-writer:
 * all or nothing as far as the registry allows).
 */
export async function pushImage(client: RegistryClient, image: Image, ref: Reference, opts: PushOptions = {}): Promise<PushResult> {
  const flavor = opts.flavor ?? 'oci';
  const config = configBlob(image, flavor);
  const manifest = manifestBlob(image, flavor);
  const seen = new Set<string>();
  const jobs: BlobJob[] = [];
  for (const l of image.layers) {
    if (seen.has(l.digest)) continue;
    seen.add(l.digest);
    jobs.push({ digest: l.digest, size: l.size, kind: 'layer', location: l.location, open: () => l.open() });
  }
  jobs.push({ digest: config.digest, size: config.bytes.length, kind: 'config', open: async () => Readable.from([config.bytes]) });
  return pushManifest(client, { bytes: manifest.bytes, digest: manifest.digest, mediaType: manifest.descriptor.mediaType }, jobs, ref, opts);
}

/**
 * Copies a stored image by its exact manifest bytes (same digest everywhere) from one repository
 * (any registry) to another: blobs mounted or streamed across, then the manifest and tags.
 */
export async function copyManifest(client: RegistryClient, src: { client: RegistryClient; repository: string; manifest: ManifestBytes }, ref: Reference, opts: PushOptions = {}): Promise<PushResult> {
  const m = JSON.parse(src.manifest.bytes.toString('utf8')) as Manifest;
  if (!m.config || !Array.isArray(m.layers)) throw new RegistryError(src.client.registry, `${src.repository}@${src.manifest.digest} is not an image manifest`, { code: 'MANIFEST_INVALID' });
  const location = { registry: src.client.registry, repository: src.repository };
  const seen = new Set<string>();
  const jobs: BlobJob[] = [];
  for (const [d, kind] of [...m.layers.map((l) => [l, 'layer'] as const), [m.config, 'config'] as const]) {
    if (seen.has(d.digest)) continue;
    seen.add(d.digest);
    jobs.push({ digest: d.digest, size: d.size, kind, location, open: async () => getBlob(src.client, src.repository, d) });
  }
  return pushManifest(client, src.manifest, jobs, ref, opts);
}

async function pushManifest(client: RegistryClient, manifest: ManifestBytes, jobs: BlobJob[], ref: Reference, opts: PushOptions): Promise<PushResult> {
  const repo = ref.repository;
  const tags = opts.tags?.length ? [...opts.tags] : ref.tag ? [ref.tag] : [];
  const before = await tagsBefore(client, ref, tags);
  checkImmutable(client, ref, tags, manifest.digest, before, opts);

  const result: PushResult = { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.bytes.length, uploadedBytes: 0, mountedBlobs: 0, skippedBlobs: 0, tags: [] };
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
  await putManifest(client, { registry: ref.registry, repository: repo, digest: manifest.digest }, manifest.bytes, manifest.mediaType);
  result.tags = await writeTags(client, ref, manifest, tags, before);
  return result;
}

/** What each tag points at now (HEAD, in parallel): decides what is written, and what a failure puts back. */
async function tagsBefore(client: RegistryClient, ref: Reference, tags: string[]): Promise<Map<string, Digest | undefined>> {
  const states = await Promise.all(tags.map(async (t) => [t, (await resolve(client, withTag(ref, t)))?.digest as Digest | undefined] as const));
  return new Map(states);
}

/** Refuses before any upload if an immutable tag points elsewhere (unless forced). */
function checkImmutable(client: RegistryClient, ref: Reference, tags: string[], digest: Digest, before: TagsBefore, opts: PushOptions): void {
  if (!opts.immutableTags || opts.force) return;
  for (const tag of tags) {
    const current = before.get(tag);
    if (!opts.immutableTags(tag) || !current || current === digest) continue;
    throw new RegistryError(client.registry, `tag ${ref.repository}:${tag} is immutable and already points to ${current}, not ${digest}`, {
      code: 'TAG_IMMUTABLE',
      exitCode: 2,
      hint: 'bump the version tag, or pass --force to move it (every image built on it will change)',
    });
  }
}
