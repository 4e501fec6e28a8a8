import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type { Digest } from '@pipeline/core';
import { FsIndex, indexPath, type IndexEntry, type IndexRecord } from '../fs/image-index.js';
import type { Image } from '../model/image.js';
import type { Layer } from '../model/layer.js';
import { writeAtomic } from '../fs/atomic.js';
import { openLayerTar } from './open-tar.js';
import { HeaderScanner } from './header-scan.js';
import type { PlannedEntry } from './plan.js';

/**
 * The filesystem index of images (fs/image-index.ts) from their layers' tar headers. A layer's
 * headers are read once per machine: kept by layer digest in `<cacheDir>/fs-index/`, and written
 * there directly for the layers pipeline makes (it knows their entries). Reading a base layer means
 * streaming its blob once (the headers are spread through it); nothing of it is kept but the headers.
 */

const TYPES: Record<string, IndexEntry['type']> = { file: 'file', 'contiguous-file': 'file', directory: 'dir', symlink: 'symlink', link: 'hardlink' };

const recordsPath = (cacheDir: string, digest: Digest) => join(cacheDir, 'fs-index', `${digest.replace(/^sha256:/, '')}.json`);

const layerMemo = new Map<string, Promise<IndexRecord[]>>();

async function readHeaders(layer: Layer): Promise<IndexRecord[]> {
  const out: IndexRecord[] = [];
  const scan = new HeaderScanner((h) => {
    const path = indexPath(h.name);
    const type = TYPES[h.type] ?? 'other';
    const target = h.type === 'symlink' ? h.linkname : h.type === 'link' ? indexPath(h.linkname) : undefined;
    out.push(target === undefined ? [path, type, h.mode, h.uid, h.gid] : [path, type, h.mode, h.uid, h.gid, target]);
  });
  await pipeline(await openLayerTar(await layer.open()), new Writable({ write: (chunk: Buffer, _e, cb) => cb(scan.push(chunk)) }));
  scan.end();
  return out;
}

/** One layer's tar headers, in order: from memory, the cache directory, or the blob itself. */
export function layerRecords(layer: Layer, cacheDir?: string): Promise<IndexRecord[]> {
  let p = layerMemo.get(layer.digest);
  if (!p) {
    p = (async () => {
      if (cacheDir) {
        const cached = await readFile(recordsPath(cacheDir, layer.digest), 'utf8').then((t) => JSON.parse(t) as IndexRecord[], () => undefined);
        if (Array.isArray(cached)) return cached;
      }
      const records = await readHeaders(layer);
      if (cacheDir) await writeAtomic(recordsPath(cacheDir, layer.digest), JSON.stringify(records));
      return records;
    })();
    p.catch(() => layerMemo.delete(layer.digest));
    layerMemo.set(layer.digest, p);
  }
  return p;
}

/** Records the headers of a layer pipeline wrote, so its index never needs the blob. */
export async function rememberLayerRecords(digest: Digest, records: IndexRecord[], cacheDir?: string): Promise<void> {
  layerMemo.set(digest, Promise.resolve(records));
  if (cacheDir) await writeAtomic(recordsPath(cacheDir, digest), JSON.stringify(records));
}

const KIND_TYPE: Record<PlannedEntry['source']['kind'], IndexEntry['type']> = { file: 'file', bytes: 'file', dir: 'dir', symlink: 'symlink', hardlink: 'hardlink', whiteout: 'other', opaque: 'other' };

/** The index records of a layer pipeline writes, from its planned entries (tar order). */
export function plannedRecords(planned: readonly PlannedEntry[]): IndexRecord[] {
  return planned.map((e) => {
    const s = e.source;
    const r: IndexRecord = [e.name, KIND_TYPE[s.kind], e.mode, e.uid, e.gid];
    if (s.kind === 'symlink' || s.kind === 'hardlink') r.push(s.kind === 'hardlink' ? indexPath(s.target) : s.target);
    return r;
  });
}

const imageMemo = new Map<string, Promise<FsIndex>>();
const MEMO_IMAGES = 16;

/**
 * The image's filesystem index. Images of one build share their base: the longest chain of layers
 * already indexed in this process is cloned and only the layers after it are applied.
 */
export function imageIndex(image: Image, cacheDir?: string): Promise<FsIndex> {
  const keys: string[] = [];
  for (const l of image.layers) keys.push(keys.length ? `${keys[keys.length - 1]},${l.digest}` : l.digest);
  const key = keys[keys.length - 1] ?? '';
  let p = imageMemo.get(key);
  if (!p) {
    p = (async () => {
      let from = keys.length;
      while (from > 0 && !imageMemo.has(keys[from - 1])) from--;
      const fs = from > 0 ? (await imageMemo.get(keys[from - 1])!).clone() : new FsIndex();
      const records = await Promise.all(image.layers.slice(from).map((l) => layerRecords(l, cacheDir)));
      for (const r of records) fs.applyLayer(r);
      return fs;
    })();
    p.catch(() => imageMemo.delete(key));
    imageMemo.set(key, p);
    // Each COPY makes a new image: keep the most recent few (a build's stages), not every one.
    while (imageMemo.size > MEMO_IMAGES) imageMemo.delete(imageMemo.keys().next().value!);
  }
  return p;
}
