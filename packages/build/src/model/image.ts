import { sha256, type Digest } from '@pipeline/core';
import type { Layer } from './layer.js';
import type { Descriptor, ImageConfig, Manifest } from './types.js';
import { MediaType, convertLayerType, type ManifestFlavor } from './media-types.js';

/** An immutable image: a config plus the layers it names. Mutations return new images. */
export interface Image {
  readonly config: ImageConfig;
  readonly layers: readonly Layer[];
  /** Annotations for the manifest (base image name/digest, OCI labels). */
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Blob {
  readonly bytes: Buffer;
  readonly digest: Digest;
  readonly descriptor: Descriptor;
}

function blob(mediaType: string, value: unknown): Blob {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = sha256(bytes);
  return { bytes, digest, descriptor: { mediaType, digest, size: bytes.length } };
}

export function configBlob(image: Image, flavor: ManifestFlavor = 'oci'): Blob {
  return blob(flavor === 'oci' ? MediaType.ociConfig : MediaType.dockerConfig, image.config);
}

export function manifestBlob(image: Image, flavor: ManifestFlavor = 'oci'): Blob {
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: flavor === 'oci' ? MediaType.ociManifest : MediaType.dockerManifest,
    config: configBlob(image, flavor).descriptor,
    layers: image.layers.map((l) => ({
      mediaType: convertLayerType(l.mediaType, flavor),
      digest: l.digest,
      size: l.size,
      ...(l.annotations && flavor === 'oci' ? { annotations: { ...l.annotations } } : {}),
    })),
  };
  // schema2 has no manifest annotations; OCI keeps them.
  if (flavor === 'oci' && image.annotations && Object.keys(image.annotations).length) manifest.annotations = { ...image.annotations };
  return blob(manifest.mediaType!, manifest);
}

/** Appends layers, extending rootfs.diff_ids and history in step. */
export function appendLayers(image: Image, layers: Layer[], history: { created_by: string; created?: string; comment?: string }[]): Image {
  if (history.length !== layers.length) throw new Error('appendLayers: one history entry per layer');
  return {
    ...image,
    layers: [...image.layers, ...layers],
    config: {
      ...image.config,
      rootfs: { type: 'layers', diff_ids: [...image.config.rootfs.diff_ids, ...layers.map((l) => l.diffId)] },
      history: [...(image.config.history ?? []), ...history],
    },
  };
}

/** Records a config-only step (ENV, CMD…) in history without a layer. */
export function addEmptyHistory(image: Image, entry: { created_by: string; created?: string }): Image {
  return { ...image, config: { ...image.config, history: [...(image.config.history ?? []), { ...entry, empty_layer: true }] } };
}

export function emptyImage(platform: { os: string; architecture: string; variant?: string } = { os: 'linux', architecture: 'amd64' }): Image {
  return {
    config: { architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}), config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] },
    layers: [],
  };
}
