import type { Layer } from '../model/layer.js';
import { getCachedLayer, layerKey, putCachedLayer } from './cache.js';
import type { LayerEntry } from './entries.js';
import { planLayer } from './plan.js';
import { StatCache, type FileStat } from './stat-cache.js';
import { writeLayer, type WriteLayerOptions } from './write.js';

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

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/**
 * writeLayer behind the layer cache: when every file's hash is known from the stat cache the
 * key is computed without reading a byte, and a hit returns the stored blob as is.
 */
export async function writeLayerCached(entries: LayerEntry[], o: CachedWriteOptions): Promise<LayerResult> {
  if (!o.cacheDir) return { ...(await writeLayer(entries, o)), cached: false };
  const stats = o.stats ?? new Map<string, FileStat>();
  const sc = await StatCache.load(o.statRoot ? o.cacheDir : undefined, o.statRoot ?? '');
  const planned = planLayer(entries, o.preserveModes);
  const keyOpts = { epoch: o.epoch, compressionLevel: o.compressionLevel, chunkSize: o.chunkSize, extra: o.keyExtra };
  const known = (p: string) => {
    const s = stats.get(p);
    return s ? sc.get(p, s) : undefined;
  };
  const early = layerKey(planned, known, keyOpts);
  if (early) {
    const hit = await getCachedLayer(o.cacheDir, o.store, early);
    if (hit) return { ...hit, cached: true };
  }
  const startedNs = nowNs();
  const w = await writeLayer(entries, o);
  const key = layerKey(w.planned, (p) => w.hashes.get(p), keyOpts);
  if (key) await putCachedLayer(o.cacheDir, key, w.layer, w.files, w.bytes);
  for (const [p, sha] of w.hashes) {
    const s = stats.get(p);
    if (s) sc.set(p, s, sha, startedNs);
  }
  await sc.save();
  return { layer: w.layer, files: w.files, bytes: w.bytes, cached: false };
}
