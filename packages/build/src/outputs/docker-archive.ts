import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { digestHex, type Digest } from '@pipeline/core';
import { configBlob, manifestBlob, type Image } from '../model/image.js';
import { MediaType, type ManifestFlavor } from '../model/media-types.js';
import { hashingStream, openBlob } from '../store/blob-store.js';
import { ensureLocalBlob } from './local-blob.js';
import { checkOutputTarget } from './spec.js';

export interface DockerArchiveResult {
  digest: Digest;
  file: string;
  bytes: number;
}

/**
 * Writes a `docker load`-able tarball: Docker's manifest.json plus an OCI layout over the same
 * blobs (as Docker 25 does), so skopeo reads it as docker-archive: and oci-archive: alike.
 * Entries are sorted and dated `mtime`, so the archive is byte-for-byte reproducible.
 */
export async function writeDockerArchive(image: Image, file: string, opts: { repoTags?: string[]; flavor?: ManifestFlavor; mtime?: Date; localStore?: string } = {}): Promise<DockerArchiveResult> {
  const flavor = opts.flavor ?? 'docker';
  const mtime = opts.mtime ?? new Date(0);
  const config = configBlob(image, flavor);
  const manifest = manifestBlob(image, flavor);
  const path = (d: Digest) => `blobs/sha256/${digestHex(d)}`;
  const dockerManifest = [{ Config: path(config.digest), RepoTags: opts.repoTags ?? [], Layers: image.layers.map((l) => path(l.digest)) }];
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [{ ...manifest.descriptor, ...(opts.repoTags?.[0] ? { annotations: { 'io.containerd.image.name': opts.repoTags[0], 'org.opencontainers.image.ref.name': opts.repoTags[0].split(':').pop()! } } : {}) }],
  };
  const small = new Map<string, Buffer>([
    [path(config.digest), config.bytes],
    [path(manifest.digest), manifest.bytes],
    ['index.json', Buffer.from(JSON.stringify(index))],
    ['manifest.json', Buffer.from(JSON.stringify(dockerManifest))],
    ['oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }))],
  ]);
  const seen = new Set<string>();
  const layers = image.layers.filter((l) => !seen.has(l.digest) && seen.add(l.digest));
  const names = [...new Set([...small.keys(), ...layers.map((l) => path(l.digest))])].sort();

  checkOutputTarget({ kind: 'docker-archive', file });
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const pack = tar.pack();
  const counter = hashingStream();
  const done = pipeline(pack, counter, createWriteStream(tmp));
  const header = (name: string, size: number, type: 'file' | 'directory' = 'file') => ({ name, size, type, mode: type === 'file' ? 0o644 : 0o755, mtime, uid: 0, gid: 0, uname: '', gname: '' });
  try {
    for (const dir of ['blobs/', 'blobs/sha256/']) pack.entry(header(dir, 0, 'directory'));
    for (const name of names) {
      const bytes = small.get(name);
      if (bytes) {
        pack.entry(header(name, bytes.length), bytes);
        continue;
      }
      const layer = layers.find((l) => path(l.digest) === name)!;
      const entry = pack.entry(header(name, layer.size));
      if (opts.localStore) await ensureLocalBlob(opts.localStore, layer);
      await pipeline(opts.localStore ? openBlob(opts.localStore, layer.digest) : await layer.open(), entry);
    }
    pack.finalize();
    await done;
    await rename(tmp, file);
  } catch (e) {
    pack.destroy();
    await done.catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
  return { digest: manifest.digest, file, bytes: counter.bytes() };
}
