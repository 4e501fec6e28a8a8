import { FsIndex, IMPLIED_DIR, type IndexEntry } from './image-index.js';
import { resolveInRoot } from './in-root.js';

/** The mode bit a directory passes to what is created in it (its group too), as the kernel does. */
const S_ISGID = 0o2000;

/** Why a path cannot be used as a directory or replaced: names the path as the image sees it. */
export class FsViewError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

/**
 * An image's filesystem while one instruction changes it: the index of the image so far, plus what
 * this instruction wrote. Every path goes through resolveInRoot (symlinks followed as the
 * container would), and `changes()` is what the layer must hold.
 */
export class FsView {
  private readonly fs: FsIndex;
  private readonly touched = new Set<string>();

  constructor(base: FsIndex) {
    this.fs = base.clone();
  }

  get(path: string): IndexEntry | undefined {
    return path === '' ? IMPLIED_DIR : this.fs.get(path) ?? (this.fs.lookup(path) ? IMPLIED_DIR : undefined);
  }

  /** The path inside the root that `path` reaches, every symlink followed (the last one too unless told). */
  resolve(path: string, followLast = true): string {
    return resolveInRoot(path, this.fs.lookup, { followLast });
  }

  set(path: string, e: IndexEntry): void {
    this.fs.set(path, e);
    this.touched.add(path);
  }

  /**
   * `mkdir -p` as BuildKit's MkdirAll: the path is resolved in the root first, missing directories are
   * created with `perm` and `owner` (none: root, with the group of a setgid parent, which also passes its
   * setgid bit on). An existing non-directory on the way is an error.
   */
  mkdirAll(path: string, perm: number, owner?: { uid: number; gid: number }): string[] {
    const resolved = this.resolve(path);
    const created: string[] = [];
    let at = '';
    for (const name of resolved.split('/').filter(Boolean)) {
      const parent = this.get(at)!;
      at = at ? `${at}/${name}` : name;
      const e = this.get(at);
      if (e?.type === 'dir') continue;
      if (e) throw new FsViewError(at, `/${at} is not a directory`);
      const sgid = parent.mode & S_ISGID;
      this.set(at, { type: 'dir', mode: perm | sgid, uid: owner?.uid ?? 0, gid: owner?.gid ?? (sgid ? parent.gid : 0) });
      created.push(at);
    }
    return created;
  }

  /**
   * What the layer holds: every path written, then each of their parents that was not, with its
   * metadata as the image has it (a layer names the directories it changes). Sorted, parents first.
   */
  changes(): { path: string; entry: IndexEntry }[] {
    const all = new Set(this.touched);
    for (const p of this.touched) for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) all.add(p.slice(0, i));
    return [...all].sort().map((path) => ({ path, entry: this.get(path)! }));
  }
}
