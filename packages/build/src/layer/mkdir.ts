import { FsView } from '../fs/view.js';
import type { FsIndex } from '../fs/image-index.js';
import { writeLayerCached, type LayerResult } from './cached.js';

export interface MkdirOptions {
  /** Absolute path (WORKDIR's, already resolved against the previous one). */
  path: string;
  fs: FsIndex;
  owner?: { uid: number; gid: number };
  epoch: number;
  store: string;
  cacheDir?: string;
  compressionLevel?: number;
}

/**
 * WORKDIR's directory, as BuildKit makes it (`mkdir -p`, 0755, owned by USER): a layer with what
 * was created and its parents as the image has them; undefined when the directory exists already.
 */
export async function mkdirToLayer(o: MkdirOptions): Promise<LayerResult | undefined> {
  const view = new FsView(o.fs);
  if (!view.mkdirAll(o.path, 0o755, o.owner).length) return undefined;
  const entries = view.changes().map(({ path, entry }) => ({ path, source: { kind: 'dir' as const }, mode: entry.mode, uid: entry.uid, gid: entry.gid }));
  return writeLayerCached(entries, { store: o.store, epoch: o.epoch, compressionLevel: o.compressionLevel, cacheDir: o.cacheDir });
}
