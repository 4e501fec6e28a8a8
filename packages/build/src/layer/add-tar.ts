import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { ContextError } from '@pipeline/core';
import { FsView } from '../fs/view.js';
import type { IndexEntry, IndexRecord } from '../fs/image-index.js';
import { getCachedLayer, putCachedLayer } from './cache.js';
import { destPath } from './copy-plan.js';
import { planError, toPosition, type CopyCommon, type CopyResult } from './copy.js';
import { rememberLayerRecords } from './layer-index.js';
import { hashFile } from '../context/stat-cache.js';
import { encodeHeader, END_OF_ARCHIVE, padding, type TarHeader } from './tar-header.js';
import { writeTarStream } from './write.js';
import { archiveKind, decompressed } from './archive.js';

export { archiveKind, isTarArchive, type ArchiveKind } from './archive.js';

/** How much an ADD of a local archive may unpack: members and bytes of member content. */
export interface ArchiveLimits {
  entries: number;
  bytes: number;
}

/** Generous for real archives (a JDK: ~1,000 files / 300 MB), a wall for bombs. */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { entries: 1_000_000, bytes: 8 * 1024 ** 3 };

/** A member's path below the destination: no absolute paths, no `..` ('' is the destination itself). */
function memberPath(name: string): string | undefined {
  const parts: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') return undefined;
    parts.push(c);
  }
  return parts.join('/');
}

export interface AddTarOptions extends CopyCommon {
  /** The archive on disk, and the source as written (for messages). */
  archive: string;
  source: string;
  limits?: ArchiveLimits;
  /** Identity of the image so far (its layers): members resolve through its symlinks, so it is part of the cache key. */
  baseKey: string;
}

const FORMAT = 'pipeline-add-tar/2';

/**
 * `ADD archive /dir` of a local tar (plain, gzip, bzip2, xz) as BuildKit unpacks it: into <dest>
 * (always a directory, made with its parents, owned by --chown), each member with the mode and
 * owner the archive stores (BuildKit 0.8's ADD --chown leaves members alone), member parents
 * resolved in the image (a member under `lib/` lands in `usr/lib/` of a merged-/usr image).
 * Streamed: members go from the archive straight into the layer's tar in archive order, nothing
 * is spooled, memory stays flat whatever the member count; `limits` stops bombs with a clear error.
 * The cache key (archive bytes, destination, base, options) is checked before anything is unpacked.
 */
export async function addTarToLayer(o: AddTarOptions): Promise<CopyResult> {
  const where = toPosition(o.where);
  const limits = o.limits ?? DEFAULT_ARCHIVE_LIMITS;
  const kind = await archiveKind(o.archive);
  const dest = destPath(o.dest.endsWith('/') ? o.dest : `${o.dest}/`, o.workdir);
  const key = createHash('sha256')
    .update(`${FORMAT}\0${hashFile(o.archive)}\0${dest}\0${JSON.stringify(o.owner ?? null)}\0${o.chmod ?? ''}\0${o.baseKey}\0${o.epoch}\0${o.compressionLevel ?? 1}`)
    .digest('hex');
  if (o.cacheDir) {
    const hit = await getCachedLayer(o.cacheDir, o.store, key);
    if (hit) return { ...hit, cached: true };
  }
  const view = new FsView(o.fs);
  const records: IndexRecord[] = [];
  let files = 0;
  let bytes = 0;
  const header = (path: string, e: IndexEntry, size = 0): Buffer => {
    records.push(e.target !== undefined ? [path, e.type, e.mode, e.uid, e.gid, e.target] : [path, e.type, e.mode, e.uid, e.gid]);
    const type = ({ dir: '5', file: '0', symlink: '2', hardlink: '1', other: '0' } as const)[e.type];
    const h: TarHeader = { name: e.type === 'dir' ? `${path}/` : path, mode: e.mode, uid: e.uid, gid: e.gid, mtime: o.epoch, size, type, ...(e.target !== undefined ? { linkname: e.target } : {}) };
    return encodeHeader(h);
  };
  const dirs = (created: string[]) => created.map((p) => header(p, view.get(p)!));
  let root: string;
  let firstDirs: Buffer[];
  try {
    firstDirs = dirs(view.mkdirAll(dest, 0o755, o.owner));
    root = view.resolve(dest);
  } catch (e) {
    planError(e, o.where);
  }
  const input = await decompressed(o.archive, kind, o.source, where);
  const extract = tar.extract();
  // The iterator listens from the start: tar-stream drops entries emitted before it exists.
  const entries = extract[Symbol.asyncIterator]();
  const feeding = pipeline(input.stream, extract);
  feeding.catch(() => {});
  const place = (rel: string): string => {
    const parent = view.resolve(`${root}/${rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : ''}`);
    return `${parent ? `${parent}/` : ''}${rel.slice(rel.lastIndexOf('/') + 1)}`;
  };
  async function* layerTar(): AsyncGenerator<Buffer> {
    yield* firstDirs;
    let count = 0;
    for await (const entry of { [Symbol.asyncIterator]: () => entries }) {
      const h = entry.header;
      if (++count > limits.entries) throw new ContextError(`ADD ${o.source}: the archive has more than ${limits.entries} members, the limit`, where, 'raise it with PIPELINE_ADD_MAX_ENTRIES if the archive is trusted');
      const rel = memberPath(h.name);
      const type = h.type === 'directory' ? 'dir' : h.type === 'symlink' ? 'symlink' : h.type === 'link' ? 'hardlink' : h.type === 'file' || h.type === 'contiguous-file' ? 'file' : undefined;
      if (rel === undefined || rel === '' || !type) {
        entry.resume();
        continue;
      }
      const size = type === 'file' ? h.size ?? 0 : 0;
      if ((bytes += size) > limits.bytes) throw new ContextError(`ADD ${o.source}: the archive unpacks to more than ${limits.bytes} bytes, the limit`, where, 'raise it with PIPELINE_ADD_MAX_BYTES if the archive is trusted');
      const parentDir = rel.includes('/') ? `${root}/${rel.slice(0, rel.lastIndexOf('/'))}` : root;
      yield* dirs(view.mkdirAll(parentDir, 0o755));
      const path = place(rel);
      const linked = type === 'hardlink' ? memberPath(h.linkname ?? '') : undefined;
      if (type === 'hardlink' && !linked) {
        entry.resume();
        continue;
      }
      const e: IndexEntry = { type, mode: type === 'symlink' ? 0o777 : (h.mode ?? 0o644) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0 };
      if (type === 'symlink') e.target = h.linkname ?? '';
      if (type === 'hardlink') e.target = place(linked!);
      view.set(path, e);
      yield header(path, e, size);
      if (type !== 'file') {
        entry.resume();
        continue;
      }
      files++;
      for await (const chunk of entry) yield chunk as Buffer;
      yield Buffer.alloc(padding(size));
    }
    yield END_OF_ARCHIVE;
  }
  try {
    const w = await writeTarStream(layerTar(), o);
    await feeding;
    await input.done();
    await rememberLayerRecords(w.layer.digest, records, o.cacheDir);
    if (o.cacheDir) await putCachedLayer(o.cacheDir, key, w.layer, files, bytes);
    return { layer: w.layer, files, bytes, cached: false };
  } catch (e) {
    extract.destroy();
    input.stream.destroy();
    if (e instanceof ContextError) throw e;
    throw new ContextError(`ADD ${o.source}: Expected a readable tar archive, got an error: ${(e as Error).message}`, where);
  }
}
