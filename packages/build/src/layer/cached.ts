import type { Layer } from '../model/layer.js';
import { getCachedLayer, hasShape, layerKey, layerShape, putCachedLayer, putShape } from './cache.js';
import type { LayerEntry } from './entries.js';
import { planLayer, type PlannedEntry } from './plan.js';
import { hashFile, StatCache, type FileStat } from '../context/stat-cache.js';
import { writeLayer, writePlanned, type WriteLayerOptions } from './write.js';
import { plannedRecords, rememberLayerRecords } from './layer-index.js';

export interface CachedWriteOptions extends WriteLayerOptions {
  /** Cache directory; undefined disables caching. */
  cacheDir?: string;
  /** The directory whose files' hashes the stat cache remembers (the context); undefined: no stat cache. */
  statRoot?: string;
  /** lstat results of on-disk sources, by path on disk. */
  stats?: Map<string, FileStat>;
  /** Anything else that changes the layer's bytes and is not in its entries. */
  keyExtra?: string;
}

export interface LayerResult {
  layer: Layer;
  files: number;
  bytes: number;
  cached: boolean;
}

/** Hashes the on-disk files whose hash the stat cache does not know; a vanished file hashes to ''. */
function hashUnknown(planned: PlannedEntry[], known: (p: string) => string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const e of planned) {
    if (e.source.kind !== 'file' || out.has(e.source.path) || known(e.source.path) !== undefined) continue;
    try {
      out.set(e.source.path, hashFile(e.source.path, buf));
    } catch {
      out.set(e.source.path, '');
    }
  }
  return out;
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/**
 * writeLayer behind the layer cache: when every file's hash is known from the stat cache the
 * key is computed without reading a byte, and a hit returns the stored blob as is.
 */
export async function writeLayerCached(entries: LayerEntry[], o: CachedWriteOptions): Promise<LayerResult> {
  if (!o.cacheDir) {
    const w = await writeLayer(entries, o);
    await rememberLayerRecords(w.layer.digest, plannedRecords(w.planned));
    return { ...w, cached: false };
  }
  const stats = o.stats ?? new Map<string, FileStat>();
  const sc = await StatCache.load(o.statRoot ? o.cacheDir : undefined, o.statRoot ?? '');
  const planned = planLayer(entries);
  const keyOpts = { epoch: o.epoch, compressionLevel: o.compressionLevel, chunkSize: o.chunkSize, extra: o.keyExtra };
  const known = (p: string) => {
    const s = stats.get(p);
    return s ? sc.get(p, s) : undefined;
  };
  // Unknown files are hashed first (a read, no compression) so a hit still skips the expensive
  // part; but only when a layer of this exact shape was cached before, else no hit is possible.
  const startedNs = nowNs();
  const shape = layerShape(planned, keyOpts);
  const hashed = (await hasShape(o.cacheDir, shape)) ? hashUnknown(planned, known) : new Map<string, string>();
  const remember = async (hashes: Map<string, string>) => {
    for (const [p, sha] of hashes) {
      const s = stats.get(p);
      if (s && sha) sc.set(p, s, sha, startedNs);
    }
    await sc.save();
  };
  const early = layerKey(planned, (p) => known(p) ?? hashed.get(p), keyOpts);
  if (early) {
    const hit = await getCachedLayer(o.cacheDir, o.store, early);
    if (hit) {
      await remember(hashed);
      await rememberLayerRecords(hit.layer.digest, plannedRecords(planned));
      return { ...hit, cached: true };
    }
  }
  const w = await writePlanned(planned, o);
  const key = layerKey(planned, (p) => w.hashes.get(p), keyOpts);
  if (key) {
    await putCachedLayer(o.cacheDir, key, w.layer, w.files, w.bytes);
    await putShape(o.cacheDir, shape);
  }
  await remember(w.hashes);
  await rememberLayerRecords(w.layer.digest, plannedRecords(planned), o.cacheDir);
  return { layer: w.layer, files: w.files, bytes: w.bytes, cached: false };
}
