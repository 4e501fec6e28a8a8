import { constants } from 'node:fs';
import { lchown, link, lutimes, mkdir, open, readdir, rm, symlink, chmod } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { quote } from '@pipeline/core';
import { diskLookup, onDisk, resolveInRoot, resolveParentInRoot, type RootLookup } from '../fs/index.js';

/** A layer entry that cannot be applied inside the root: a malformed or hostile image. */
export class RootEntryError extends Error {
  constructor(readonly entry: string, reason: string) {
    super(`entry ${quote(entry)}: ${reason}`);
    this.name = 'RootEntryError';
  }
}

/** Owner, mode and mtime of an entry as its tar header gives them. */
export interface EntryMeta {
  mode: number;
  uid: number;
  gid: number;
  mtime?: Date;
}

/**
 * A tar entry name as a path inside the root: `./`, leading and trailing `/` dropped, `.` and `..`
 * worked out as text first (as Docker's and containerd's unpackers clean names). '' is the root.
 * A name that climbs above the root is refused, as Docker refuses it ("breakout").
 */
export function entryPath(name: string): string {
  const out: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c !== '..') out.push(c);
    else if (!out.pop()) throw new RootEntryError(name, 'the name climbs outside the image root');
  }
  return out.join('/');
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code;

/**
 * Creates, replaces and removes entries of an image root on disk. Every path is resolved inside
 * the root (fs/in-root: symlinks followed as the container would see them, never out); the entry's
 * own name is never followed: a symlink there is replaced, never written through. The root is a
 * private directory this process alone writes while it works (no RUN step is running).
 */
export class RootWriter {
  private readonly lookup: RootLookup;
  /** Devices and fifos met and skipped (a device node would give a RUN step the host's disks). */
  skipped: string[] = [];

  constructor(readonly root: string, private readonly owners: boolean) {
    this.lookup = diskLookup(root);
  }

  /** The in-root path an entry named `name` takes, its parent directories created inside the root. */
  async place(name: string): Promise<string> {
    const path = entryPath(name);
    if (!path) return '';
    const { parent, name: base } = this.resolveParent(name, path);
    await this.mkdirs(parent, name);
    return parent ? `${parent}/${base}` : base;
  }

  /** Creates the missing directories of a resolved in-root path (0755, root-owned, as Docker's unpacker). */
  async mkdirs(resolved: string, name = resolved): Promise<void> {
    let at = '';
    for (const c of resolved.split('/').filter(Boolean)) {
      at = at ? `${at}/${c}` : c;
      const node = this.lookup(at);
      if (node?.type === 'dir') continue;
      if (node) throw new RootEntryError(name, `/${at} is not a directory`);
      await mkdir(onDisk(this.root, at), { mode: 0o755 });
    }
  }

  /** Applies one tar entry; `content` is the file's bytes (drained by the caller for other types). */
  async put(name: string, type: string, meta: EntryMeta, content: Readable, linkname?: string): Promise<string | undefined> {
    const at = await this.place(name);
    const abs = onDisk(this.root, at);
    try {
      if (type === 'directory') {
        if (at && this.lookup(at)?.type !== 'dir') {
          await rm(abs, { recursive: true, force: true });
          await mkdir(abs, { mode: 0o700 });
        }
        if (this.owners) await lchown(abs, meta.uid, meta.gid);
        await chmod(abs, meta.mode); // a real directory: lookup said so, or we just made it
        return at;
      }
      if (!at) throw new RootEntryError(name, `a ${type} cannot replace the image root`);
      if (type === 'link') return await this.hardlink(name, at, linkname ?? '');
      if (type === 'symlink') {
        await rm(abs, { recursive: true, force: true });
        await symlink(linkname ?? '', abs);
        if (this.owners) await lchown(abs, meta.uid, meta.gid);
        if (meta.mtime) await lutimes(abs, meta.mtime, meta.mtime);
        return at;
      }
      if (type === 'file' || type === 'contiguous-file') {
        await rm(abs, { recursive: true, force: true });
        // O_EXCL|O_NOFOLLOW: the name was just cleared; nothing may sit there now, least of all a link.
        const fh = await open(abs, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          for await (const chunk of content) {
            const b = chunk as Buffer;
            for (let off = 0; off < b.length; ) off += (await fh.write(b, off)).bytesWritten;
          }
          if (this.owners) await fh.chown(meta.uid, meta.gid); // before chmod: chown clears setuid bits
          await fh.chmod(meta.mode);
          if (meta.mtime) await fh.utimes(meta.mtime, meta.mtime);
        } finally {
          await fh.close();
        }
        return at;
      }
      this.skipped.push(at); // block/char devices, fifos: never created
      return undefined;
    } catch (e) {
      if (e instanceof RootEntryError) throw e;
      const msg = (e as Error).message ?? String(e);
      throw new RootEntryError(name, errno(e) ? `${errno(e)}: ${msg.split(this.root).join('')}` : msg);
    }
  }

  /** A hard link only to an entry already inside the root, never to a directory. */
  private async hardlink(name: string, at: string, linkname: string): Promise<string> {
    const targetPath = entryPath(linkname);
    const target = resolveInRoot(targetPath, this.lookup, { followLast: false });
    const node = target ? this.lookup(target) : { type: 'dir' as const };
    if (!node) throw new RootEntryError(name, `hard link to ${quote(linkname)}, which names nothing in the image`);
    if (node.type === 'dir') throw new RootEntryError(name, `hard link to ${quote(linkname)}, a directory`);
    if (target === at) return at; // a link to itself: already there
    await rm(onDisk(this.root, at), { recursive: true, force: true });
    await link(onDisk(this.root, target), onDisk(this.root, at));
    return at;
  }

  /** Applies the whiteout `entry` (`dir/.wh.base`): removes dir/base, dir resolved inside the root, base not followed. */
  async whiteout(entry: string, dir: string, base: string): Promise<void> {
    if (!base || base === '.' || base === '..' || base.includes('/')) throw new RootEntryError(entry, 'a whiteout must name an entry');
    const path = entryPath(dir ? `${dir}/${base}` : base);
    if (!path) throw new RootEntryError(entry, 'a whiteout must name an entry');
    const { parent, name: last } = this.resolveParent(entry, path);
    if (parent && this.lookup(parent)?.type !== 'dir') return; // nothing below a missing parent
    await rm(onDisk(this.root, parent ? `${parent}/${last}` : last), { recursive: true, force: true });
  }

  /**
   * Applies an opaque marker in `dir`: everything below it from lower layers goes, entries this
   * layer already wrote (`kept`, and their parents) stay. A `dir` that is a symlink is left alone,
   * as Docker's unpacker does (it walks the link itself, not its target).
   */
  async opaque(dir: string, kept: ReadonlySet<string>): Promise<void> {
    const path = entryPath(dir);
    const resolved = path ? resolveInRoot(path, this.lookup, { followLast: false }) : '';
    if (resolved && this.lookup(resolved)?.type !== 'dir') return;
    const keptParents = new Set<string>();
    for (const k of kept) for (let i = k.indexOf('/'); i > 0; i = k.indexOf('/', i + 1)) keptParents.add(k.slice(0, i));
    const clear = async (d: string) => {
      for (const n of await readdir(onDisk(this.root, d))) {
        const p = d ? `${d}/${n}` : n;
        if (keptParents.has(p) && this.lookup(p)?.type === 'dir') await clear(p);
        else if (!kept.has(p)) await rm(onDisk(this.root, p), { recursive: true, force: true });
      }
    };
    await clear(resolved);
  }

  private resolveParent(name: string, path: string): { parent: string; name: string } {
    try {
      return resolveParentInRoot(path, this.lookup);
    } catch (e) {
      throw new RootEntryError(name, (e as Error).message);
    }
  }
}
