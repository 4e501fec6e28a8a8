import type { Layer } from '../model/layer.js';
import { blobSize, ingestBlob } from '../store/blob-store.js';

/**
 * Makes sure a layer's blob is in the local store (fetched once, digest-verified), so a registry
 * base is downloaded by the first build to a local output, not by every build. A push never
 * comes here: it streams registry to registry.
 */
export async function ensureLocalBlob(store: string, layer: Layer): Promise<void> {
  if ((await blobSize(store, layer.digest)) === layer.size) return;
  await ingestBlob(store, layer.digest, await layer.open(), layer.size);
}
