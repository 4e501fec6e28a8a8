import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Layer } from '../model/layer.js';
import { writeLayer, plannedRecords, rememberLayerRecords, type LayerEntry } from '../layer/index.js';
import type { Change } from './changes.js';

export interface DiffLayerOptions {
  store: string;
  epoch: number;
  compressionLevel?: number;
  /** Where the layer's index is kept (layer/layer-index.ts), so later steps never read the blob for it. */
  cacheDir?: string;
  /** Owners as the step left them when the files on disk cannot say (extracted without root). */
  ownerOf?: (path: string) => { uid: number; gid: number } | undefined;
}

/**
 * Turns a RUN step's changes (files under `root`, deletions) into a deterministic layer: modes
 * and owners kept as the step left them, mtimes from the epoch, deletions as OCI whiteouts.
 */
export async function layerFromChanges(root: string, changes: Change[], o: DiffLayerOptions): Promise<Layer> {
  const entries: LayerEntry[] = [];
  const seenInode = new Map<string, string>();
  for (const ch of [...changes].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (ch.kind === 'delete') {
      entries.push({ path: ch.path, source: { kind: 'whiteout' } });
      continue;
    }
    const abs = join(root, ch.path);
    const s = lstatSync(abs, { throwIfNoEntry: false });
    if (!s) continue; // created and removed again within the step
    const base = { path: ch.path, mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, ...o.ownerOf?.(ch.path) };
    if (s.isDirectory()) entries.push({ ...base, source: { kind: 'dir' } });
    else if (s.isSymbolicLink()) entries.push({ ...base, source: { kind: 'symlink', target: readlinkSync(abs) } });
    else if (s.isFile()) {
      const key = `${s.dev}:${s.ino}`;
      const first = s.nlink > 1 ? seenInode.get(key) : undefined;
      if (first) entries.push({ ...base, source: { kind: 'hardlink', target: first } });
      else {
        if (s.nlink > 1) seenInode.set(key, ch.path);
        entries.push({ ...base, source: { kind: 'file', path: abs, size: s.size } });
      }
    }
  }
  const r = await writeLayer(entries, { store: o.store, epoch: o.epoch, compressionLevel: o.compressionLevel });
  await rememberLayerRecords(r.layer.digest, plannedRecords(r.planned), o.cacheDir);
  return r.layer;
}
