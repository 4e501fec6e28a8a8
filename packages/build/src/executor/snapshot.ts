import { PipelineError } from '@pipeline/core';
import type { Change } from './changes.js';
import { RUNTIME_PATHS } from './run-mounts.js';

/**
 * Every path under a root (absolute image path) → what `docker build`'s change detection looks at
 * (moby pkg/archive/changes.go), as one string: type and mode, owner, and for all but directories
 * size and mtime (a directory's own size and mtime say nothing: its changed children are listed).
 * ctime and inode are not looked at, as in Docker: a hard link added elsewhere changes no file.
 */
export type Snapshot = Map<string, string>;

// One GNU find walks the tree in C (no stat call and object per entry in JavaScript: several times
// faster); NUL-separated, so any name is safe. The runtime's paths are pruned.
const PRUNE = [...RUNTIME_PATHS].flatMap((p, i) => [...(i ? ['-o'] : []), '-path', `.${p}`]);
const FORMAT = '%P\\0%y%m %U %G %s %T@\\0';

/** Records the root as a step's change detection sees it (GNU find, run with the root as its cwd). */
export async function snapshot(root: string): Promise<Snapshot> {
  const { execa } = await import('execa');
  const r = await execa('find', ['.', '-mindepth', '1', '(', ...PRUNE, ')', '-prune', '-o', '-printf', FORMAT], { cwd: root, encoding: 'latin1', reject: false, maxBuffer: 1 << 30, stdin: 'ignore' });
  if (r.exitCode !== 0) {
    throw new PipelineError('usage', `the chroot executor could not list its root with GNU find: ${String(r.stderr || r.message).split('\n')[0]}`, { hint: 'the chroot executor needs GNU findutils (find -printf)', exitCode: 1 });
  }
  const out: Snapshot = new Map();
  const parts = String(r.stdout).split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const path = `/${Buffer.from(parts[i], 'latin1').toString('utf8')}`;
    const stat = parts[i + 1];
    out.set(path, stat.startsWith('d') ? stat.split(' ', 3).join(' ') : stat);
  }
  return out;
}

const isDir = (stat: string | undefined) => !!stat && stat.startsWith('d');

/**
 * The changes between two snapshots as the engine reports them for a RUN's layer: added and
 * modified paths; the topmost path of each deleted tree (none below a directory that became a file
 * or link: the new entry replaces the tree); and, as Docker adds them, the parent directories of
 * every change (so their owners and modes travel with the layer).
 */
export function diffSnapshots(before: Snapshot, after: Snapshot): Change[] {
  const changes = new Map<string, Change['kind']>();
  for (const [p, a] of after) {
    const b = before.get(p);
    if (b === undefined) changes.set(p, 'add');
    else if (b !== a) changes.set(p, 'modify');
  }
  for (const p of before.keys()) {
    if (after.has(p)) continue;
    const parent = p.slice(0, p.lastIndexOf('/'));
    if (parent && !isDir(after.get(parent))) continue;
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
