import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { parseJsonObject, RegistryError, formatReference, type Digest, type Reference } from '@pipeline/core';
import type { Image } from '../model/image.js';
import type { Layer } from '../model/layer.js';
import type { ImageConfig, Manifest, Platform } from '../model/types.js';
import { configShapeProblem } from '../model/shape.js';
import { getBlob } from './blobs.js';
import type { RegistryClient } from './client.js';
import { getImageManifest } from './manifests.js';

/** Largest image config read (real ones are a few KiB; a long history is well under 1 MiB). */
const MAX_CONFIG = 16 * 1024 * 1024;

export interface FetchedImage {
  image: Image;
  /** The platform image manifest's digest (what a build pins). */
  digest: Digest;
  /** The index's digest when the reference named a multi-platform image. */
  indexDigest?: Digest;
  manifest: Manifest;
  mediaType: string;
}

/**
 * Reads manifest and config only. Layers point back at the registry (`location`) and open
 * lazily through getBlob, so a FROM image is referenced, mounted or streamed, never downloaded up front.
 */
export async function fetchImage(client: RegistryClient, ref: Reference, opts: { platform?: Platform } = {}): Promise<FetchedImage> {
  const m = await getImageManifest(client, ref, opts.platform);
  const manifest = m.manifest;
  if (!manifest.config || !Array.isArray(manifest.layers)) throw new RegistryError(client.registry, `${formatReference(ref)} is not an image manifest (${m.mediaType})`, { code: 'MANIFEST_INVALID' });
  const bad = (why: string) => new RegistryError(client.registry, `${formatReference(ref)}: ${why}`, { code: 'MANIFEST_INVALID', exitCode: 1 });
  if (!(manifest.config.size <= MAX_CONFIG)) throw bad(`its config is ${manifest.config.size} bytes; at most ${MAX_CONFIG} are read`);
  const config = parseJsonObject<ImageConfig>(await text(getBlob(client, ref.repository, manifest.config) as Readable), () => bad('its config is not a JSON object'));
  const shape = configShapeProblem(config, manifest.layers.length);
  if (shape) throw bad(shape);
  const diffIds = config.rootfs.diff_ids;
  const location = { registry: client.registry, repository: ref.repository };
  const layers: Layer[] = manifest.layers.map((d, i) => ({
    digest: d.digest,
    diffId: diffIds[i],
    size: d.size,
    mediaType: d.mediaType,
    ...(d.annotations ? { annotations: d.annotations } : {}),
    location,
    open: async () => getBlob(client, ref.repository, d),
  }));
  return { image: { config, layers }, digest: m.digest, indexDigest: m.index?.digest, manifest, mediaType: m.mediaType };
}
