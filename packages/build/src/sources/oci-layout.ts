import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJsonObject, sha256, type Digest, quote } from '@pipeline/core';
import { ContextError } from '@pipeline/core';
import type { Image } from '../model/image.js';
import type { Layer } from '../model/layer.js';
import { isIndexType, isManifestType } from '../model/media-types.js';
import type { Descriptor, ImageConfig, Index, Manifest, Platform } from '../model/types.js';
import { blobPath, openBlob } from '../store/blob-store.js';
import { pickPlatform } from '../model/platform.js';
import { configShapeProblem, manifestShapeProblem } from '../model/shape.js';

async function readJsonBlob<T>(dir: string, d: Descriptor): Promise<T> {
  const bytes = await readFile(blobPath(dir, d.digest));
  if (sha256(bytes) !== d.digest) throw new ContextError(`OCI layout ${dir}: blob ${d.digest} does not match its digest`, { file: dir });
  return parseJsonObject<T & object>(bytes.toString('utf8'), () => new ContextError(`OCI layout ${dir}: blob ${d.digest} is not a JSON object`, { file: dir }));
}

/**
 * Reads an image from an OCI layout: by ref name (`oci:DIR:ref`), or the only/first matching manifest.
 * The manifest's annotations come back beside the image, not in it: a base's annotations describe the
 * base, never what is built on it (set them on the image to re-push it as it is).
 */
export async function readOciLayout(dir: string, opts: { ref?: string; platform?: Platform } = {}): Promise<{ image: Image; digest: Digest; annotations?: Record<string, string> }> {
  const notLayout = (why: string) => new ContextError(`${dir} is not an OCI image layout: ${why}`, { file: dir }, 'Expected a directory with oci-layout, index.json and blobs/');
  let text: string;
  try {
    text = await readFile(join(dir, 'index.json'), 'utf8');
  } catch (e) {
    throw notLayout(`cannot read index.json (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const index = parseJsonObject<Index>(text, (at) => notLayout(`index.json is not a JSON object${at.line ? ` (line ${at.line}, column ${at.column})` : ''}`));
  const shape = manifestShapeProblem(index);
  if (shape) throw notLayout(`index.json ${shape}`);
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
  const mshape = manifestShapeProblem(manifest);
  if (mshape) throw new ContextError(`OCI layout ${dir}: manifest ${desc.digest} ${mshape}`, { file: dir });
  const config = await readJsonBlob<ImageConfig>(dir, manifest.config);
  const cshape = configShapeProblem(config, manifest.layers.length);
  if (cshape) throw new ContextError(`OCI layout ${dir}: ${cshape}`, { file: dir });
  const diffIds = config.rootfs.diff_ids;
  const layers: Layer[] = manifest.layers.map((l, i) => ({
    digest: l.digest,
    diffId: diffIds[i],
    size: l.size,
    mediaType: l.mediaType,
    annotations: l.annotations,
    open: async () => openBlob(dir, l.digest),
  }));
  return { image: { config, layers }, digest: desc.digest, ...(manifest.annotations ? { annotations: manifest.annotations } : {}) };
}
