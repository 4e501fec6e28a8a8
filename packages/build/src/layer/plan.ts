import { defaultMode, imagePath, type LayerEntry, type LayerSource } from './entries.js';

/** One tar record as it will be written, after sorting and link detection. */
export interface PlannedEntry {
  /** Tar name (no trailing `/`; the encoder adds it for directories). */
  name: string;
  source: LayerSource;
  mode: number;
  uid: number;
  gid: number;
}

/** Parents the base image almost always has with other modes than 0755. */
const STICKY_DIRS = new Set(['tmp', 'var/tmp']);

const byName = (a: PlannedEntry, b: PlannedEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function tarName(path: string, kind: LayerSource['kind']): string {
  const p = imagePath(path);
  if (kind === 'opaque') return p ? `${p}/.wh..wh..opq` : '.wh..wh..opq';
  if (kind !== 'whiteout') return p;
  const i = p.lastIndexOf('/');
  return i < 0 ? `.wh.${p}` : `${p.slice(0, i)}/.wh.${p.slice(i + 1)}`;
}

/**
 * Orders a layer: entries sorted by tar name (a parent sorts before its children), the last of
 * duplicate paths wins, modes as given (Docker keeps a file's mode: determinism comes from sorted
 * entries, epoch mtimes and owners, not from rewriting modes), missing parents become 0755 root
 * directories (COPY names its parents itself, as the image has them), and the second file with
 * the same linkKey becomes a hard link to the first.
 */
export function planLayer(entries: LayerEntry[]): PlannedEntry[] {
  const byPath = new Map<string, PlannedEntry>();
  for (const e of entries) {
    const kind = e.source.kind;
    const name = tarName(e.path, kind);
    if (name === '') continue; // the root itself is never a tar entry
    const mode = e.chmod ?? (e.mode !== undefined ? e.mode & 0o7777 : defaultMode(kind));
    byPath.delete(name); // re-insert so "last wins" also keeps insertion order irrelevant
    byPath.set(name, { name, source: e.source, mode: kind === 'whiteout' || kind === 'opaque' ? 0o644 : mode, uid: e.uid ?? 0, gid: e.gid ?? 0 });
  }
  for (const name of [...byPath.keys()]) {
    for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
      const parent = name.slice(0, i);
      if (!byPath.has(parent)) byPath.set(parent, { name: parent, source: { kind: 'dir' }, mode: STICKY_DIRS.has(parent) ? 0o1777 : 0o755, uid: 0, gid: 0 });
    }
  }
  const out = [...byPath.values()].sort(byName);
  const firstOf = new Map<string, string>();
  for (const p of out) {
    if (p.source.kind !== 'file' || !p.source.linkKey) continue;
    const first = firstOf.get(p.source.linkKey);
    if (first === undefined) firstOf.set(p.source.linkKey, p.name);
    else p.source = { kind: 'hardlink', target: first };
  }
  return out;
}
