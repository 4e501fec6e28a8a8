import type { RootLookup, RootNode } from './in-root.js';

/** What a layer's tar header says of one path: enough to resolve paths and to keep metadata. */
export interface IndexEntry {
  type: 'dir' | 'file' | 'symlink' | 'hardlink' | 'other';
  /** Permission bits (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Symlink target as stored; for a hard link, the image path it links to. */
  target?: string;
}

/** One tar header of a layer, in tar order: [path, type, mode, uid, gid, target?]; whiteouts keep their `.wh.` names. */
export type IndexRecord = [string, IndexEntry['type'], number, number, number, string?];

const parentOf = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
};

/** Image path of a tar name: no leading `./` or `/`, no trailing `/` ('' is the root). */
export const indexPath = (name: string): string => name.replace(/^(\.?\/)+/, '').replace(/\/+$/, '').replace(/\/\/+/g, '/');

/**
 * An image's filesystem as its layers' tar headers describe it, whiteouts applied (OCI image spec,
 * "Representing Changes"): what the container sees, without reading a byte of file content.
 */
export class FsIndex {
  private readonly entries = new Map<string, IndexEntry>();
  private readonly children = new Map<string, Set<string>>();

  get size(): number {
    return this.entries.size;
  }

  get(path: string): IndexEntry | undefined {
    return this.entries.get(path);
  }

  /** lstat over the index, for resolveInRoot: the root and every implied parent are directories. */
  readonly lookup: RootLookup = (path) => nodeOf(path === '' ? ROOT : this.entries.get(path) ?? (this.children.has(path) ? ROOT : undefined));

  /** Applies one layer: its whiteouts hide what lower layers had, then its entries are added. */
  applyLayer(records: readonly IndexRecord[]): void {
    for (const [path] of records) {
      const base = path.slice(path.lastIndexOf('/') + 1);
      if (base === '.wh..wh..opq') for (const c of [...(this.children.get(parentOf(path)) ?? [])]) this.remove(c);
      else if (base.startsWith('.wh.')) this.remove(`${parentOf(path) ? `${parentOf(path)}/` : ''}${base.slice(4)}`);
    }
    for (const [path, type, mode, uid, gid, target] of records) {
      if (!path || path.slice(path.lastIndexOf('/') + 1).startsWith('.wh.')) continue;
      this.set(path, { type, mode, uid, gid, ...(target !== undefined ? { target } : {}) });
    }
  }

  set(path: string, e: IndexEntry): void {
    const old = this.entries.get(path);
    if (old?.type === 'dir' && e.type !== 'dir') this.removeChildren(path);
    this.entries.set(path, e);
    for (let p = path; p; ) {
      const parent = parentOf(p);
      let set = this.children.get(parent);
      if (!set) this.children.set(parent, (set = new Set()));
      if (set.has(p)) break;
      set.add(p);
      p = parent;
    }
  }

  private removeChildren(path: string): void {
    for (const c of [...(this.children.get(path) ?? [])]) this.remove(c);
  }

  private remove(path: string): void {
    this.removeChildren(path);
    this.children.delete(path);
    this.entries.delete(path);
    this.children.get(parentOf(path))?.delete(path);
  }

  /** A copy that can be changed without changing this one. */
  clone(): FsIndex {
    const c = new FsIndex();
    for (const [k, v] of this.entries) c.entries.set(k, v);
    for (const [k, v] of this.children) c.children.set(k, new Set(v));
    return c;
  }
}

/** The root, and a parent a layer implies without an entry of its own: a 0755 root directory. */
const ROOT: IndexEntry = { type: 'dir', mode: 0o755, uid: 0, gid: 0 };

function nodeOf(e: IndexEntry | undefined): RootNode | undefined {
  if (!e) return undefined;
  if (e.type === 'symlink') return { type: 'symlink', target: e.target ?? '' };
  if (e.type === 'dir') return { type: 'dir' };
  return e.type === 'other' ? { type: 'other' } : { type: 'file' };
}

export const IMPLIED_DIR = ROOT;
