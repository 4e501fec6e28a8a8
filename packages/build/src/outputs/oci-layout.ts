import { mkdir, readFile } from 'node:fs/promises';
import { writeAtomic } from '../fs/atomic.js';
import { join } from 'node:path';
import type { Digest } from '@pipeline/core';
import { configBlob, manifestBlob, type Image } from '../model/image.js';
import { MediaType, type ManifestFlavor } from '../model/media-types.js';
import type { Descriptor, Index } from '../model/types.js';
import { blobSize, ingestBlob, linkBlob } from '../store/blob-store.js';
import type { Layer } from '../model/layer.js';
import { ensureLocalBlob } from './local-blob.js';
import { checkOutputTarget } from './spec.js';

export interface OciLayoutResult {
  digest: Digest;
  size: number;
  dir: string;
  /** Blobs that were already in the layout and not written again. */
  reused: number;
}

async function writeSmallBlob(dir: string, digest: Digest, bytes: Buffer): Promise<void> {
  if ((await blobSize(dir, digest)) === bytes.length) return;
  const { Readable } = await import('node:stream');
  await ingestBlob(dir, digest, Readable.from([bytes]), bytes.length);
}

/** Copies one layer's blob in: by hard link from the local store (fetching it there first), else by streaming. */
async function writeLayer(dir: string, layer: Layer, localStore?: string): Promise<boolean> {
  if ((await blobSize(dir, layer.digest)) === layer.size) return false;
  if (localStore) {
    await ensureLocalBlob(localStore, layer);
    await linkBlob(localStore, dir, layer.digest);
    return true;
  }
  await ingestBlob(dir, layer.digest, await layer.open(), layer.size);
  return true;
}


/**
 * Writes an image into an OCI image layout (oci-layout, index.json, blobs/). An existing layout
 * is extended: blobs it has are kept, and a manifest with the same ref name is replaced.
 */
export async function writeOciLayout(image: Image, dir: string, opts: { flavor?: ManifestFlavor; refName?: string; localStore?: string; concurrency?: number } = {}): Promise<OciLayoutResult> {
  const flavor = opts.flavor ?? 'oci';
  checkOutputTarget({ kind: 'oci', dir });
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  let written = 0;
  const queue = [...image.layers];
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, queue.length) }, async () => {
    for (let l = queue.shift(); l; l = queue.shift()) if (await writeLayer(dir, l, opts.localStore)) written++;
  }));
  const config = configBlob(image, flavor);
  await writeSmallBlob(dir, config.digest, config.bytes);
  const manifest = manifestBlob(image, flavor);
  await writeSmallBlob(dir, manifest.digest, manifest.bytes);
  // index.json last: the layout names the image only once all its blobs are there.
  let index: Index = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] };
  try {
    index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as Index;
  } catch {
    /* a new layout */
  }
  const desc: Descriptor = { ...manifest.descriptor };
  if (opts.refName) desc.annotations = { 'org.opencontainers.image.ref.name': opts.refName };
  const keep = index.manifests.filter((m) => m.digest !== desc.digest && (opts.refName === undefined || m.annotations?.['org.opencontainers.image.ref.name'] !== opts.refName));
  index = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [...keep, desc] };
  await writeAtomic(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeAtomic(join(dir, 'index.json'), JSON.stringify(index));
  return { digest: manifest.digest, size: manifest.bytes.length, dir, reused: image.layers.length - written };
}
