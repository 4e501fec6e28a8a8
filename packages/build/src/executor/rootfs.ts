import { createWriteStream } from 'node:fs';
import { chmod, chown, link, lstat, mkdir, readdir, rm, symlink, utimes } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { Image } from '../model/image.js';
import { openLayerTar } from './read-file.js';

/** Joins a layer path under root, refusing anything that would land outside it. */
function inside(root: string, p: string): string {
  const rel = normalize(`/${p}`).slice(1);
  if (rel.startsWith('..')) throw new Error(`layer entry escapes the root: ${p}`);
  return join(root, rel);
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(() => true, () => false);
}

async function clearDir(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) await rm(join(dir, name), { recursive: true, force: true });
}

/**
 * Unpacks an image's layers into a directory, applying OCI whiteouts, as a container runtime
 * would see it. Used for `COPY --from` and the chroot executor. Ownership only as root and asked.
 */
export async function unpackImage(image: Image, root: string, opts: { owners?: boolean } = {}): Promise<void> {
  await mkdir(root, { recursive: true });
  const owners = opts.owners && process.getuid?.() === 0;
  for (const layer of image.layers) {
    const opaqueSeen = new Set<string>();
    const extract = tar.extract();
    extract.on('entry', (h, stream, next) => {
      const s = stream as unknown as Readable;
      const run = async () => {
        const name = h.name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
        const base = name.split('/').pop()!;
        const parent = dirname(name);
        if (base === '.wh..wh..opq') {
          const d = inside(root, parent);
          if (!opaqueSeen.has(d)) await clearDir(d);
          opaqueSeen.add(d);
          s.resume();
          return;
        }
        if (base.startsWith('.wh.')) {
          await rm(inside(root, join(parent, base.slice(4))), { recursive: true, force: true });
          s.resume();
          return;
        }
        if (!name) return void s.resume();
        const target = inside(root, name);
        await mkdir(dirname(target), { recursive: true });
        if (h.type !== 'directory' && (await exists(target))) await rm(target, { recursive: true, force: true });
        const mode = (h.mode ?? 0o644) & 0o7777;
        switch (h.type) {
          case 'directory':
            await mkdir(target, { recursive: true });
            await chmod(target, mode);
            break;
          case 'symlink':
            await symlink(h.linkname!, target);
            break;
          case 'link':
            await link(inside(root, h.linkname!), target);
            break;
          case 'file':
          case 'contiguous-file':
            await pipeline(s, createWriteStream(target, { mode }));
            await chmod(target, mode);
            break;
          default:
            break; // devices and fifos are not needed to read files out of an image
        }
        s.resume();
        if (owners && h.type !== 'symlink') await chown(target, h.uid ?? 0, h.gid ?? 0).catch(() => {});
        if (h.type === 'file' && h.mtime) await utimes(target, h.mtime, h.mtime).catch(() => {});
      };
      run().then(() => next(), next);
    });
    await pipeline(await openLayerTar(await layer.open()), extract);
  }
}
