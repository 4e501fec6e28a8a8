import { configBlob, manifestBlob, type Image } from '@pipeline/build';

/** What a summary says about one built image: its size, and how much of it this run made afresh. */
export interface ImageStats {
  /** Manifest + config + every layer, compressed. */
  size: number;
  layers: number;
  /** Bytes of layers this run built (not from the base, not from the layer cache)… */
  newBytes: number;
  /** …and the rest: the base's layers and layer-cache hits. */
  reusedBytes: number;
  durationMs: number;
}

export function imageStats(image: Image, built: { size: number; cached: boolean }[], startedAt: number, format: 'oci' | 'docker' = 'oci'): ImageStats {
  const layerBytes = image.layers.reduce((n, l) => n + l.size, 0);
  const newBytes = built.filter((l) => !l.cached).reduce((n, l) => n + l.size, 0);
  return {
    size: configBlob(image, format).bytes.length + manifestBlob(image, format).bytes.length + layerBytes,
    layers: image.layers.length,
    newBytes,
    reusedBytes: layerBytes - newBytes,
    durationMs: Date.now() - startedAt,
  };
}
