import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256, type Digest, quote } from '@pipeline/core';
import { ContextError } from '@pipeline/core';
import type { Image } from '../model/image.js';
import type { Layer } from '../model/layer.js';
import { isIndexType, isManifestType } from '../model/media-types.js';
import type { Descriptor, ImageConfig, Index, Manifest, Platform } from '../model/types.js';
import { blobPath, openBlob } from '../store/blob-store.js';
import { pickPlatform } from '../model/platform.js';

async function readJsonBlob<T>(dir: string, d: Descriptor): Promise<T> {
  const bytes = await readFile(blobPath(dir, d.digest));
  if (sha256(bytes) !== d.digest) throw new ContextError(`OCI layout ${dir}: blob ${d.digest} does not match its digest`, { file: dir });
  return JSON.parse(bytes.toString('utf8')) as T;
}

/** Reads an image from an OCI layout: by ref name (`oci:DIR:ref`), or the only/first matching manifest. */
export async function readOciLayout(dir: string, opts: { ref?: string; platform?: Platform } = {}): Promise<{ image: Image; digest: Digest }> {
  let index: Index;
  try {
    index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as Index;
  } catch (e) {
    throw new ContextError(`${dir} is not an OCI image layout: cannot read index.json (${(e as Error).message})`, { file: dir }, 'Expected a directory with oci-layout, index.json and blobs/');
  }
  let candidates = index.manifests;
  if (opts.ref) {
    candidates = candidates.filter((m) => m.annotations?.['org.opencontainers.image.ref.name'] === opts.ref);
    if (!candidates.length) {
      const names = index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']).filter(Boolean);
      throw new ContextError(`OCI layout ${dir} has no image named ${quote(opts.ref)}`, { file: dir }, `Expected one of: ${names.join(', ') || '(no named images)'}`);
    }
  }
  if (!candidates.length) throw new ContextError(`OCI layout ${dir} holds no image`, { file: dir });
  let desc = candidates.length === 1 ? candidates[0] : pickPlatform(candidates, opts.platform, dir);
  while (isIndexType(desc.mediaType)) desc = pickPlatform((await readJsonBlob<Index>(dir, desc)).manifests, opts.platform, dir);
  if (!isManifestType(desc.mediaType)) throw new ContextError(`OCI layout ${dir}: unsupported manifest type ${desc.mediaType}`, { file: dir });
  const manifest = await readJsonBlob<Manifest>(dir, desc);
  const config = await readJsonBlob<ImageConfig>(dir, manifest.config);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) throw new ContextError(`OCI layout ${dir}: config lists ${diffIds.length} diff_ids for ${manifest.layers.length} layers`, { file: dir });
  const layers: Layer[] = manifest.layers.map((l, i) => ({
    digest: l.digest,
    diffId: diffIds[i],
    size: l.size,
    mediaType: l.mediaType,
    annotations: l.annotations,
    open: async () => openBlob(dir, l.digest),
  }));
  return { image: { config, layers }, digest: desc.digest };
}
