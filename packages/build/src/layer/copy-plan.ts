import { posix } from 'node:path';
import { FsViewError, type FsView } from '../fs/view.js';
import type { LayerEntry, LayerSource } from './entries.js';

/**
 * Docker's COPY/ADD destination rules – the one place they live – as BuildKit applies them
 * (dockerfile2llb pathRelativeToWorkingDir, fsutil copy.Copy / prepareTargetDir / copyDirectory),
 * checked against the engine's builder by test/conformance:
 *  - <dest> is relative to WORKDIR; a trailing `/` (or `.`) makes it a directory, created with its parents;
 *  - <dest> is resolved in the image, every symlink followed (a merged-/usr `/lib` stays a link);
 *  - a file onto an existing directory goes into it; a directory's contents merge into <dest>;
 *  - parents made on the way are 0755 and belong to --chown (or inherit a setgid parent's group);
 *  - a directory that exists keeps its mode and owner where the copy lands, and takes the source's below it;
 *  - a directory cannot land on a non-directory (a symlink included), nor a file on a directory.
 */

/** Something to copy: a file or a directory (whose contents follow, parents before children). */
export interface CopyItem {
  /** Last component as matched: the name a file gets inside a directory destination. */
  name: string;
  type: 'file' | 'dir';
  mode: number;
  uid: number;
  gid: number;
  /** Where a file's bytes come from. */
  source?: LayerSource;
  /** A directory's contents, relative paths, parents first. */
  children?: () => Iterable<CopyChild>;
}

export interface CopyChild {
  rel: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  source: LayerSource;
}

export interface CopyPlanOptions {
  owner?: { uid: number; gid: number };
  chmod?: number;
}

/** <dest> as an image path: absolute, relative to WORKDIR, a trailing `/` kept (`.` means `./`). */
export function destPath(dest: string, workdir = '/'): string {
  const d = dest === '' || dest === '.' ? './' : dest;
  const dir = d.endsWith('/') || d.endsWith('/.');
  const abs = posix.resolve('/', workdir || '/', d);
  return dir && abs !== '/' ? `${abs}/` : abs;
}

/** Where a layer entry comes from, for the paths this copy writes (directories need none). */
type Contents = Map<string, LayerSource>;

const DIR: LayerSource = { kind: 'dir' };

function put(view: FsView, contents: Contents, path: string, type: 'file' | 'dir' | 'symlink', meta: { mode: number; uid: number; gid: number }, source: LayerSource): void {
  const target = source.kind === 'symlink' ? source.target : undefined;
  view.set(path, { type, mode: meta.mode, uid: meta.uid, gid: meta.gid, ...(target !== undefined ? { target } : {}) });
  contents.set(path, source);
}

function copyOne(view: FsView, contents: Contents, target: string, item: { type: 'file' | 'dir' | 'symlink'; mode: number; uid: number; gid: number; source?: LayerSource }, o: CopyPlanOptions, top: boolean): void {
  const existing = view.get(target);
  const owner = o.owner ?? { uid: item.uid, gid: item.gid };
  // --chmod sets the permission bits of what is copied (not of symlinks), keeping none of the source's.
  const mode = o.chmod !== undefined && item.type !== 'symlink' ? o.chmod : item.mode;
  if (item.type !== 'dir') {
    if (existing?.type === 'dir') throw new FsViewError(target, `cannot replace the directory /${target} with a file`);
    put(view, contents, target, item.type, { mode, ...owner }, item.source!);
    return;
  }
  if (!existing) put(view, contents, target, 'dir', { mode, ...owner }, DIR);
  else if (existing.type !== 'dir') throw new FsViewError(target, `cannot copy a directory onto /${target}, which is a ${existing.type === 'symlink' ? `symlink (-> ${existing.target})` : 'file'} in the image`);
  else if (!top) put(view, contents, target, 'dir', { mode, ...owner }, DIR);
}

/**
 * Applies one COPY/ADD (items in source order) to the view and returns the layer's entries: every
 * path written, and the parents of each as the image has them.
 */
export function planCopy(view: FsView, dest: string, items: Iterable<CopyItem>, o: CopyPlanOptions = {}): LayerEntry[] {
  const contents: Contents = new Map();
  const last = dest.slice(dest.lastIndexOf('/') + 1);
  for (const item of items) {
    // Each source is its own copy: <dest> (or its parent) is made only once something is copied.
    view.mkdirAll(last === '' || last === '.' ? dest : posix.dirname(dest), 0o755, o.owner);
    const dst = view.resolve(dest);
    const existing = view.get(dst);
    const target = item.type === 'file' && existing?.type === 'dir' ? posix.join(dst, item.name) : dst;
    view.mkdirAll(item.type === 'dir' && !existing ? target : posix.dirname(`/${target}`), 0o755, o.owner);
    copyOne(view, contents, target, item, o, true);
    if (item.type !== 'dir') continue;
    for (const c of item.children?.() ?? []) copyOne(view, contents, `${target ? `${target}/` : ''}${c.rel}`, c, o, false);
  }
  return view.changes().map(({ path, entry }) => ({ path, source: contents.get(path) ?? DIR, mode: entry.mode, uid: entry.uid, gid: entry.gid }));
}
