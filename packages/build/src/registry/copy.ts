import type { Reference } from '@pipeline/core';
import type { Descriptor } from '../model/types.js';
import { getBlob, hasBlob, mountBlob } from './blobs.js';
import type { RegistryClient } from './client.js';
import { uploadBlob } from './upload.js';

export interface CopyResult {
  how: 'exists' | 'mounted' | 'copied';
  sentBytes: number;
}

/**
 * Puts a blob from one repository (any registry) into another without touching disk: skipped if
 * present, mounted within one registry, else streamed GET → PUT with the digest checked on both ends.
 */
export async function copyBlob(dst: RegistryClient, src: RegistryClient, srcRef: Reference, dstRef: Reference, desc: Descriptor, onBytes?: (n: number) => void): Promise<CopyResult> {
  if (await hasBlob(dst, dstRef.repository, desc.digest)) return { how: 'exists', sentBytes: 0 };
  let location: string | undefined;
  if (src.registry === dst.registry && srcRef.repository !== dstRef.repository) {
    const m = await mountBlob(dst, dstRef.repository, desc.digest, srcRef.repository);
    if (m.mounted) return { how: 'mounted', sentBytes: 0 };
    location = m.location;
  }
  const r = await uploadBlob(dst, dstRef.repository, desc, async () => getBlob(src, srcRef.repository, desc), { location, onBytes });
  return { how: 'copied', sentBytes: r.sentBytes };
}
