import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { ContextError, parseJson, parseJsonObject, sha256, type Digest } from '@pipeline/core';
import type { Image } from '../model/image.js';
import type { Layer } from '../model/layer.js';
import { MediaType } from '../model/media-types.js';
import type { ImageConfig } from '../model/types.js';
import { configShapeProblem } from '../model/shape.js';
import { blobPath, hashingStream, openBlob } from '../store/blob-store.js';

interface ArchiveManifest {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}
interface StoredLayer {
  digest: Digest;
  diffId: Digest;
  size: number;
  gzip: boolean;
}

const isBlobName = (n: string) => /^blobs\/sha256\/[a-f0-9]{64}$/.test(n);
/** manifest.json, a docker-save config (`<id>.json`), or a blob that may be a config (OCI-style archives). */
const mayBeJson = (n: string) => n.endsWith('.json') || isBlobName(n);

/** Stores one tar entry in the blob store, hashing it as stored and, for gzip, as unpacked. */
async function storeEntry(stream: Readable, store: string): Promise<StoredLayer> {
  const tmpDir = `${store}/blobs/sha256`;
  await mkdir(tmpDir, { recursive: true });
  const tmp = `${tmpDir}/.in-${randomBytes(6).toString('hex')}`;
  const raw = hashingStream();
  const tee = new PassThrough();
  let first: Buffer | undefined;
  let inner: Promise<Digest> | undefined;
  const unpacked = hashingStream();
  tee.once('data', (c: Buffer) => {
    first = c;
  });
  const writing = pipeline(stream, raw, tee, createWriteStream(tmp));
  await writing;
  const gzip = !!first && first[0] === 0x1f && first[1] === 0x8b;
  if (gzip) inner = pipeline(createReadStream(tmp), createGunzip(), unpacked, new PassThrough().resume()).then(() => unpacked.digest());
  const digest = raw.digest();
  const diffId = inner ? await inner : digest;
  const target = blobPath(store, digest);
  await mkdir(dirname(target), { recursive: true });
  await rename(tmp, target);
  return { digest, diffId, size: raw.bytes(), gzip };
}

/**
 * Reads a `docker save` tarball (`docker-archive:FILE[:name:tag]`): its layers are copied once
 * into the local blob store (gzip ones kept as they are, plain tars as uncompressed OCI layers).
 */
export async function readDockerArchive(file: string, store: string, opts: { ref?: string } = {}): Promise<{ image: Image; imageId: Digest }> {
  const json = new Map<string, Buffer>();
  const blobs = new Map<string, StoredLayer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const name = header.name.replace(/^\.\//, '');
    if (header.type !== 'file') {
      stream.resume();
      return next();
    }
    if (mayBeJson(name) && (header.size ?? 0) < 4 * 1024 * 1024) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        const bytes = Buffer.concat(chunks);
        json.set(name, bytes);
        // A small blob may as well be a layer (an archive pipeline wrote keeps layers there too).
        if (!isBlobName(name)) return next();
        storeEntry(Readable.from([bytes]), store).then((st) => {
          blobs.set(name, st);
          next();
        }, next);
      });
      return;
    }
    storeEntry(stream as unknown as Readable, store).then((s) => {
      blobs.set(name, s);
      next();
    }, next);
  });
  try {
    await pipeline(createReadStream(file), extract);
  } catch (e) {
    throw new ContextError(`${file} is not a readable docker-archive tarball: ${(e as Error).message}`, { file }, 'Expected the output of `docker save` or `pipeline build --output docker-archive:FILE`');
  }
  const manifestBytes = json.get('manifest.json');
  if (!manifestBytes) throw new ContextError(`${file} has no manifest.json`, { file }, 'Expected the output of `docker save`');
  const bad = (why: string) => new ContextError(`${file}: ${why}`, { file }, 'Expected the output of `docker save` or `pipeline build --output docker-archive:FILE`');
  const manifests = parseJson(manifestBytes.toString('utf8'), () => bad('its manifest.json is not JSON')) as ArchiveManifest[];
  const okEntry = (x: ArchiveManifest) => !!x && typeof x.Config === 'string' && Array.isArray(x.Layers) && x.Layers.every((l) => typeof l === 'string') && (x.RepoTags == null || (Array.isArray(x.RepoTags) && x.RepoTags.every((t) => typeof t === 'string')));
  if (!Array.isArray(manifests) || !manifests.every(okEntry)) throw bad('its manifest.json is not a list of {Config, Layers, RepoTags}');
  let m = manifests[0];
  if (opts.ref) {
    const want = opts.ref.includes(':') ? opts.ref : `${opts.ref}:latest`;
    const found = manifests.find((x) => (x.RepoTags ?? []).some((t) => t === want || t.endsWith(`/${want}`)));
    if (!found) throw new ContextError(`${file} has no image tagged ${want}`, { file }, `Expected one of: ${manifests.flatMap((x) => x.RepoTags ?? []).join(', ')}`);
    m = found;
  }
  if (!m) throw new ContextError(`${file} holds no image`, { file });
  const configBytes = json.get(m.Config);
  if (!configBytes) throw new ContextError(`${file}: config ${m.Config} missing`, { file });
  const config = parseJsonObject<ImageConfig>(configBytes.toString('utf8'), () => bad(`config ${m.Config} is not a JSON object`));
  const shape = configShapeProblem(config, m.Layers.length);
  if (shape) throw bad(shape);
  const layers: Layer[] = m.Layers.map((name, i) => {
    const s = blobs.get(name);
    if (!s) throw new ContextError(`${file}: layer ${name} missing`, { file });
    if (config.rootfs.diff_ids[i] !== s.diffId) throw new ContextError(`${file}: layer ${name} does not match diff_id ${config.rootfs.diff_ids[i]}`, { file });
    return { digest: s.digest, diffId: s.diffId, size: s.size, mediaType: s.gzip ? MediaType.ociLayerGzip : MediaType.ociLayer, open: async () => openBlob(store, s.digest) };
  });
  // An archive has no manifest digest; the config digest is the image ID docker shows.
  return { image: { config, layers }, imageId: sha256(configBytes) };
}
