import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Change } from './changes.js';

interface Entry {
  kind: 'f' | 'd' | 'l' | 'o';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: number;
  link?: string;
}

/** Paths a RUN must not leave in a layer: pseudo filesystems mounted for the step. */
const SKIP = new Set(['/proc', '/sys', '/dev']);

/** Records every path under root (as an image path) with what a change would alter. */
export async function snapshot(root: string): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const walk = async (dir: string, rel: string) => {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const p = `${rel}/${name}`;
      if (SKIP.has(p)) continue;
      const full = join(dir, name);
      const s = await lstat(full, { bigint: true });
      const kind = s.isDirectory() ? 'd' : s.isFile() ? 'f' : s.isSymbolicLink() ? 'l' : 'o';
      out.set(p, { kind, mode: Number(s.mode & 0o7777n), uid: Number(s.uid), gid: Number(s.gid), size: Number(s.size), mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs, ino: Number(s.ino), link: kind === 'l' ? await readlink(full) : undefined });
      if (kind === 'd') await walk(full, p);
    }
  };
  await walk(root, '');
  return out;
}

/**
 * The changes between two snapshots, as a container engine reports them: added and modified
 * paths, and deleted ones (only the topmost of a deleted tree, which becomes one whiteout).
 */
export function diffSnapshots(before: Map<string, Entry>, after: Map<string, Entry>): Change[] {
  const changes: Change[] = [];
  for (const [p, a] of after) {
    const b = before.get(p);
    if (!b) changes.push({ path: p, kind: 'add' });
    else if (b.kind !== a.kind || b.mode !== a.mode || b.uid !== a.uid || b.gid !== a.gid || b.size !== a.size || b.mtimeNs !== a.mtimeNs || b.ctimeNs !== a.ctimeNs || b.link !== a.link || b.ino !== a.ino) {
      changes.push({ path: p, kind: b.kind !== a.kind ? 'add' : 'modify' });
    }
  }
  const deleted = [...before.keys()].filter((p) => !after.has(p)).sort();
  let lastTop: string | undefined;
  for (const p of deleted) {
    if (lastTop && p.startsWith(`${lastTop}/`)) continue;
    changes.push({ path: p, kind: 'delete' });
    lastTop = p;
  }
  // A path whose type changed must hide what was below it: emit a delete before the add.
  for (const [p, a] of after) {
    const b = before.get(p);
    if (b && b.kind === 'd' && a.kind !== 'd') changes.push({ path: p, kind: 'delete' });
  }
  return changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
