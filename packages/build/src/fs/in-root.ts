/**
 * THE rule for paths inside an image's root filesystem: resolve them as a process chrooted at the
 * root would (continuity's fs.RootPath / filepath-securejoin, which Docker's builder uses). Every
 * symlink met on the way is followed, an absolute target restarts at the root, `..` never climbs
 * above it. Whatever the links say, the result is a path inside the root: nothing outside is ever
 * named. Used for COPY/ADD destinations over a base image, unpacking layers onto disk, COPY --from
 * and the chroot executor, over whichever view of the root the caller has (an index or a directory).
 */
import { cut, quote } from '@pipeline/core';

/** What the caller's view knows of one path (relative to the root, no leading `/`). */
export type RootNode = { type: 'dir' } | { type: 'file' } | { type: 'symlink'; target: string } | { type: 'other' };

/** Looks a path up without following a final symlink (lstat); undefined when nothing is there. */
export type RootLookup = (path: string) => RootNode | undefined;

/** Linux's limit on symlinks followed in one lookup (MAXSYMLINKS is 40; securejoin allows 255). */
const MAX_LINKS = 255;

export class RootLinkLoopError extends Error {
  constructor(readonly path: string) {
    super(`too many levels of symbolic links resolving ${quote(path)} inside the image`);
  }
}

/**
 * A path that would leave the root, met by `resolveInRoot(…, { refuseEscape: true })`: a `..` above
 * it, or a symlink with an absolute target. A build context is such a root: its links may not leave it.
 */
export class RootEscapeError extends Error {
  constructor(
    readonly path: string,
    /** The link that led out (the last one followed before a `..` climbed out, or the absolute one). */
    readonly link?: { path: string; target: string },
  ) {
    super(link ? `${quote(path)} leaves the root through symlink ${cut(link.path)} -> ${cut(link.target)}` : `${quote(path)} leaves the root`);
  }
}

const split = (p: string): string[] => p.split('/').filter((c) => c !== '' && c !== '.');

/**
 * Resolves `path` (absolute or relative to the root; both mean the same) inside the root.
 * `followLast: false` keeps a final symlink itself (lstat semantics: what `COPY` onto it, `rm` or a tar
 * entry of that name replaces); `true` follows it (stat semantics: what `cd` or opening it reaches).
 * Returns the resolved path relative to the root, without a leading `/` ('' is the root itself).
 * Components that do not exist are kept as written: the result names where they would be created.
 * `refuseEscape: true` throws RootEscapeError instead of clamping (`..` above the root, absolute targets).
 */
export function resolveInRoot(path: string, lookup: RootLookup, opts: { followLast?: boolean; refuseEscape?: boolean } = {}): string {
  const followLast = opts.followLast ?? true;
  const done: string[] = [];
  let todo = split(path);
  let links = 0;
  let lastLink: { path: string; target: string } | undefined;
  while (todo.length) {
    const name = todo.shift()!;
    if (name === '..') {
      if (!done.length && opts.refuseEscape) throw new RootEscapeError(path, lastLink);
      done.pop(); // at the root `..` is the root
      continue;
    }
    const candidate = [...done, name].join('/');
    const node = todo.length || followLast ? lookup(candidate) : undefined;
    if (node?.type !== 'symlink') {
      done.push(name);
      continue;
    }
    if (++links > MAX_LINKS) throw new RootLinkLoopError(path);
    lastLink = { path: candidate, target: node.target };
    // Absolute targets restart at the root; relative ones continue from the link's directory.
    if (node.target.startsWith('/') && opts.refuseEscape) throw new RootEscapeError(path, lastLink);
    if (node.target.startsWith('/')) done.length = 0;
    todo = [...split(node.target), ...todo];
  }
  return done.join('/');
}

/** Where an entry named `path` is created: its parent resolved in the root, its own name kept (a final symlink is replaced, not followed). */
export function resolveParentInRoot(path: string, lookup: RootLookup): { parent: string; name: string } {
  const full = resolveInRoot(path, lookup, { followLast: false });
  if (!full) throw new Error(`Expected a path naming an entry below the root, got ${quote(path)}`);
  const i = full.lastIndexOf('/');
  return { parent: i < 0 ? '' : full.slice(0, i), name: full.slice(i + 1) };
}

/** Joins a resolved in-root path to the root directory on disk. */
export const onDisk = (root: string, inRoot: string): string => (inRoot ? `${root.replace(/\/+$/, '')}/${inRoot}` : root);
