import { constants, lstatSync, readdirSync } from 'node:fs';
import type { Change } from './changes.js';
import { isRuntimePath } from './run-mounts.js';

/** What `docker build`'s change detection looks at for one path (moby pkg/archive/changes.go). */
interface Entry {
  /** Type and permission bits (st_mode). */
  mode: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  mtimeMs: number;
}

export type Snapshot = Map<string, Entry>;

const isDir = (e: Entry) => (e.mode & constants.S_IFMT) === constants.S_IFDIR;

/**
 * Records every path under root (as an absolute image path) but the runtime's own, with what a
 * change would alter. Synchronous on purpose: one lstat per entry, no promise per file (a RUN
 * step's root holds tens of thousands of them and nothing else runs meanwhile).
 */
export function snapshot(root: string): Snapshot {
  const out: Snapshot = new Map();
  const walk = (dir: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // a directory the step made unreadable is still recorded itself
    }
    for (const name of names) {
      const p = `${rel}/${name}`;
      if (isRuntimePath(p)) continue;
      const full = `${dir}/${name}`;
      const s = lstatSync(full, { throwIfNoEntry: false });
      if (!s) continue;
      const e: Entry = { mode: s.mode, uid: s.uid, gid: s.gid, rdev: s.rdev, size: s.size, mtimeMs: s.mtimeMs };
      out.set(p, e);
      if (isDir(e)) walk(full, p);
    }
  };
  walk(root.replace(/\/+$/, ''), '');
  return out;
}

/**
 * Docker's statDifferent: mode (with the type), owner and device always; size and mtime for all
 * but directories (a directory's own mtime says nothing: its changed children are listed themselves).
 * ctime and inode are not looked at, as in Docker: a hard link added elsewhere does not change a file.
 */
function differs(b: Entry, a: Entry): boolean {
  if (b.mode !== a.mode || b.uid !== a.uid || b.gid !== a.gid || b.rdev !== a.rdev) return true;
  return !isDir(a) && (b.mtimeMs !== a.mtimeMs || b.size !== a.size);
}

/**
 * The changes between two snapshots as the engine reports them for `docker diff` and a RUN's
 * layer: added and modified paths; the topmost path of each deleted tree; and, as Docker adds them,
 * the parent directories of every change (so their owners and modes travel with the layer).
 */
export function diffSnapshots(before: Snapshot, after: Snapshot): Change[] {
  const changes = new Map<string, Change['kind']>();
  for (const [p, a] of after) {
    const b = before.get(p);
    if (!b) changes.set(p, 'add');
    else if (differs(b, a)) changes.set(p, 'modify');
  }
  for (const p of before.keys()) {
    if (after.has(p)) continue;
    const parent = p.slice(0, p.lastIndexOf('/'));
    const np = parent ? after.get(parent) : undefined;
    // Only the topmost path of a deleted tree; below a directory that became a file or link,
    // nothing: the new entry replaces the whole tree.
    if (parent && (!np || !isDir(np))) continue;
    changes.set(p, 'delete');
  }
  for (const p of [...changes.keys()]) {
    for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
      const parent = p.slice(0, i);
      if (changes.has(parent)) break;
      changes.set(parent, 'modify');
    }
  }
  return [...changes].map(([path, kind]) => ({ path, kind })).sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
