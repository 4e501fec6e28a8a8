/** Media types of the OCI image spec and Docker's schema2, side by side. */
export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerForeign: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export type ManifestFlavor = 'oci' | 'docker';

export const isIndexType = (t: string | undefined): boolean => t === MediaType.ociIndex || t === MediaType.dockerManifestList;
export const isManifestType = (t: string | undefined): boolean => t === MediaType.ociManifest || t === MediaType.dockerManifest;

/** Converts a layer media type between flavors, keeping what it says about compression. */
export function convertLayerType(t: string, flavor: ManifestFlavor): string {
  if (flavor === 'docker') {
    if (t === MediaType.ociLayerGzip || t === MediaType.ociLayer) return MediaType.dockerLayerGzip;
    if (t === MediaType.ociLayerNondistGzip) return MediaType.dockerLayerForeign;
    return t;
  }
  if (t === MediaType.dockerLayerGzip) return MediaType.ociLayerGzip;
  if (t === MediaType.dockerLayerForeign) return MediaType.ociLayerNondistGzip;
  return t;
}
