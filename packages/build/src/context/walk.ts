import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Ignore } from './dockerignore.js';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink';

/** One path of the context as lstat saw it. Content is never read here. */
export interface ContextEntry {
  /** Slash path relative to the walked root's context (no leading `/`). */
  path: string;
  /** Absolute path on disk. */
  abs: string;
  type: EntryType;
  /** Permission bits (0o7777). */
  mode: number;
  size: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
  dev: bigint;
  nlink: number;
  /** Symlink target as stored, or for a hardlink the path of its first occurrence in this walk. */
  link?: string;
}

export interface WalkOptions {
  /** Start below the root: a slash path relative to it; entries keep paths relative to the root. */
  start?: string;
  /** Extra patterns (COPY --exclude) applied to paths relative to `start`. */
  exclude?: Ignore;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Walks `root` depth-first, names sorted within each directory (Go's filepath.Walk order, so a
 * parent always precedes its children), skipping ignored paths and the directories nothing
 * below can be brought back from. Sockets, fifos and devices are left out, as Docker's context.
 */
export async function* walkContext(root: string, ignore: Ignore, opts: WalkOptions = {}): AsyncGenerator<ContextEntry> {
  yield* walkContextSync(root, ignore, opts);
}

/**
 * walkContext without promises. Sync on purpose: each fs.promises call is a threadpool round
 * trip, and for 4200 entries lstat through promises took 250-350 ms here against 55 ms sync.
 */
export function* walkContextSync(root: string, ignore: Ignore, opts: WalkOptions = {}): Generator<ContextEntry> {
  const seen = new Map<string, string>();
  const start = opts.start && opts.start !== '.' ? opts.start : '';
  const rel = (p: string) => (start ? p.slice(start.length + 1) : p);
  // An explicit stack, not recursive `yield*`: delegation costs a resume per level for every
  // entry, and node_modules trees are deep.
  interface Frame { relDir: string; absDir: string; names: string[]; i: number }
  const open = (relDir: string): Frame => {
    const absDir = relDir ? join(root, relDir) : root;
    return { relDir, absDir, names: readdirSync(absDir).sort(byName), i: 0 };
  };
  const stack: Frame[] = [open(start)];
  while (stack.length) {
    const f = stack[stack.length - 1]!;
    if (f.i >= f.names.length) {
      stack.pop();
      continue;
    }
    const name = f.names[f.i++]!;
    const path = f.relDir ? `${f.relDir}/${name}` : name;
    const abs = join(f.absDir, name);
    const s = lstatSync(abs, { bigint: true });
    const isDir = s.isDirectory();
    const r = rel(path);
    const ig = ignore.ignores(path);
    const ex = opts.exclude?.ignores(r) ?? false;
    if (ig || ex) {
      // An excluded dir is still entered when an exception could match below it.
      if (isDir && !(ig && ignore.canSkipDir(path)) && !(ex && opts.exclude!.canSkipDir(r))) stack.push(open(path));
      continue;
    }
    const base = { path, abs, mode: Number(s.mode & 0o7777n), size: Number(s.size), mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs, ino: s.ino, dev: s.dev, nlink: Number(s.nlink) };
    if (isDir) {
      yield { ...base, type: 'dir', size: 0 };
      stack.push(open(path));
    } else if (s.isSymbolicLink()) {
      yield { ...base, type: 'symlink', link: readlinkSync(abs) };
    } else if (s.isFile()) {
      const key = `${s.dev}:${s.ino}`;
      const first = base.nlink > 1 ? seen.get(key) : undefined;
      if (first !== undefined) yield { ...base, type: 'hardlink', link: first };
      else {
        if (base.nlink > 1) seen.set(key, path);
        yield { ...base, type: 'file' };
      }
    }
  }
}
