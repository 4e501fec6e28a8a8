import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigest, type Digest } from '@pipeline/core';
import type { Layer } from '../model/layer.js';
import { blobSize } from '../store/blob-store.js';
import { writeAtomic } from '../fs/atomic.js';
import type { PlannedEntry } from './plan.js';
import { storedLayer } from './write.js';

/** Bump when the tar or gzip bytes for the same inputs would change. */
const FORMAT = 'pipeline-layer/1';

type KeyOptions = { epoch: number; compressionLevel?: number; chunkSize?: number; extra?: string };
type Source = PlannedEntry['source'];

/** One line per planned entry (name, kind, mode, owner, `what`), after the format and settings; undefined if any `what` is. */
function entriesDigest(prefix: string, planned: PlannedEntry[], what: (s: Source) => string | undefined, o: KeyOptions): string | undefined {
  const h = createHash('sha256');
  h.update(`${prefix}${FORMAT}\0${o.epoch}\0${o.compressionLevel ?? 1}\0${o.chunkSize ?? 0}\0${o.extra ?? ''}\n`);
  for (const e of planned) {
    const w = what(e.source);
    if (w === undefined) return undefined;
    h.update(`${e.name}\0${e.source.kind}\0${e.mode}\0${e.uid}\0${e.gid}\0${w}\n`);
  }
  return h.digest('hex');
}

const linkTarget = (s: Source): string => (s.kind === 'symlink' || s.kind === 'hardlink' ? s.target : '');

/**
 * Everything in the layer key except file contents. No record with this shape means no content
 * key can hit either, so a cold layer is not read once to hash it and again to tar it.
 */
export function layerShape(planned: PlannedEntry[], o: KeyOptions): string {
  return entriesDigest('shape\0', planned, (s) => (s.kind === 'file' ? String(s.size) : s.kind === 'bytes' ? String(s.data.byteLength) : linkTarget(s)), o)!;
}

const shapePath = (cacheDir: string, shape: string) => join(cacheDir, 'layers', 'shapes', shape);

export async function hasShape(cacheDir: string, shape: string): Promise<boolean> {
  return access(shapePath(cacheDir, shape)).then(() => true, () => false);
}

export async function putShape(cacheDir: string, shape: string): Promise<void> {
  await writeAtomic(shapePath(cacheDir, shape), '');
}

/**
 * The layer's identity before it is written: every planned entry (name, kind, mode, owner, link
 * target, size and content sha256), the epoch and the compression settings.
 */
export function layerKey(planned: PlannedEntry[], contentHash: (path: string) => string | undefined, o: KeyOptions): string | undefined {
  return entriesDigest('', planned, (s) => {
    if (s.kind === 'file') {
      const c = contentHash(s.path);
      return c === undefined ? undefined : `${s.size}:${c}`;
    }
    return s.kind === 'bytes' ? createHash('sha256').update(s.data).digest('hex') : linkTarget(s);
  }, o);
}

interface Record {
  digest: Digest;
  diffId: Digest;
  size: number;
  mediaType: string;
  files: number;
  bytes: number;
}

const recordPath = (cacheDir: string, key: string) => join(cacheDir, 'layers', key.slice(0, 2), `${key}.json`);

/** A cached layer whose blob is still in the store; anything unreadable or missing is a miss. */
export async function getCachedLayer(cacheDir: string, store: string, key: string): Promise<{ layer: Layer; files: number; bytes: number } | undefined> {
  try {
    const r = JSON.parse(await readFile(recordPath(cacheDir, key), 'utf8')) as Record;
    if (!isDigest(r.digest) || !isDigest(r.diffId) || typeof r.size !== 'number') return undefined;
    if ((await blobSize(store, r.digest)) !== r.size) return undefined;
    return { layer: storedLayer(store, r), files: r.files ?? 0, bytes: r.bytes ?? 0 };
  } catch {
    return undefined;
  }
}

export async function putCachedLayer(cacheDir: string, key: string, layer: Layer, files: number, bytes: number): Promise<void> {
  const r: Record = { digest: layer.digest, diffId: layer.diffId, size: layer.size, mediaType: layer.mediaType, files, bytes };
  await writeAtomic(recordPath(cacheDir, key), JSON.stringify(r));
}
