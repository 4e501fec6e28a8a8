import { createReadStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Digest } from '@pipeline/core';
import type { Layer } from '../model/layer.js';
import { MediaType } from '../model/media-types.js';
import { blobPath, blobSize } from '../store/blob-store.js';
import type { LayerEntry } from './entries.js';
import { planLayer, type PlannedEntry } from './plan.js';
import { compressToFile } from './pgzip.js';
import { tarStream } from './tar.js';
import { padding } from './tar-header.js';

export interface WriteLayerOptions {
  /** Blob store root: the blob lands in `<store>/blobs/sha256/<hex>`. */
  store: string;
  /** SOURCE_DATE_EPOCH: every entry's mtime, in seconds. */
  epoch: number;
  /** gzip level, 1 by default (see pgzip.ts). */
  compressionLevel?: number;
  /** @deprecated ignored: modes are always kept as given (Docker keeps them). */
  preserveModes?: boolean;
  chunkSize?: number;
  /** Called as the tar is produced: bytes of tar so far and the expected total. */
  onProgress?: (done: number, total: number) => void;
}

/** The tar's size before it is written (PAX headers aside): headers, padded contents, end blocks. */
export function expectedTarSize(planned: PlannedEntry[]): number {
  let n = 1024;
  for (const e of planned) {
    const size = e.source.kind === 'file' ? e.source.size : e.source.kind === 'bytes' ? e.source.data.byteLength : 0;
    n += 512 + size + padding(size);
  }
  return n;
}

function* counted(stream: Iterable<Buffer>, total: number, report: (done: number, total: number) => void): Generator<Buffer> {
  let done = 0;
  for (const chunk of stream) {
    done += chunk.length;
    report(done, Math.max(done, total));
    yield chunk;
  }
}

export interface WrittenLayer {
  layer: Layer;
  /** Regular files and their content bytes in the layer (hard links not counted). */
  files: number;
  bytes: number;
  /** sha256 hex of every on-disk file read, by its path on disk. */
  hashes: Map<string, string>;
  /** The entries as written, for a cache key. */
  planned: PlannedEntry[];
}

/** A Layer view of a gzip blob in the store. */
export function storedLayer(store: string, d: { digest: Digest; diffId: Digest; size: number; mediaType?: string }): Layer {
  return {
    digest: d.digest,
    diffId: d.diffId,
    size: d.size,
    mediaType: d.mediaType ?? MediaType.ociLayerGzip,
    open: async () => createReadStream(blobPath(store, d.digest)),
  };
}

/**
 * Writes entries as one deterministic gzip layer into the store: tar streamed from disk through
 * parallel gzip into a temp file, renamed to its digest once complete.
 */
export async function writeLayer(entries: LayerEntry[], o: WriteLayerOptions): Promise<WrittenLayer> {
  return writePlanned(planLayer(entries), o);
}

/** writeLayer for entries already planned (planLayer: sorted, parents added, modes settled). */
export async function writePlanned(planned: PlannedEntry[], o: WriteLayerOptions): Promise<WrittenLayer> {
  const tar = tarStream(planned, o.epoch, o.chunkSize);
  const source = o.onProgress ? counted(tar.stream, expectedTarSize(planned), o.onProgress) : tar.stream;
  const { layer } = await writeTarStream(source, o);
  const r = tar.result;
  return { layer, files: r.files, bytes: r.bytes, hashes: r.hashes, planned };
}

/** Compresses a tar stream into the store (temp file, renamed to its digest once complete). */
export async function writeTarStream(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, o: WriteLayerOptions): Promise<{ layer: Layer }> {
  const tmpDir = join(o.store, 'blobs', 'sha256');
  await mkdir(tmpDir, { recursive: true });
  const tmp = join(tmpDir, `.tmp-layer-${randomBytes(8).toString('hex')}`);
  try {
    const c = await compressToFile(source, tmp, { level: o.compressionLevel, chunkSize: o.chunkSize });
    const target = blobPath(o.store, c.digest);
    if ((await blobSize(o.store, c.digest)) === c.size) await rm(tmp, { force: true });
    else {
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
    }
    return { layer: storedLayer(o.store, c) };
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
