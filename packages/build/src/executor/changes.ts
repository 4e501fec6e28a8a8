import { createWriteStream } from 'node:fs';
import { chmod, chown, link, mkdir, symlink, lchown } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

/** One filesystem change of a RUN step, path absolute in the image. */
export interface Change {
  path: string;
  kind: 'add' | 'modify' | 'delete';
}

/** Extracts only the listed paths of a container export into `dir`, keeping modes and owners. */
export async function extractPaths(exported: Readable, dir: string, wanted: Set<string>): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    const s = stream as unknown as Readable;
    const p = `/${h.name.replace(/^\.?\/+/, '').replace(/\/+$/, '')}`;
    if (!wanted.has(p)) {
      s.on('end', next);
      s.resume();
      return;
    }
    const target = join(dir, p);
    const mode = (h.mode ?? 0o644) & 0o7777;
    const run = async () => {
      await mkdir(dirname(target), { recursive: true });
      if (h.type === 'directory') await mkdir(target, { recursive: true }).then(() => chmod(target, mode));
      else if (h.type === 'symlink') await symlink(h.linkname!, target);
      else if (h.type === 'link') {
        const src = join(dir, `/${h.linkname!.replace(/^\.?\/+/, '')}`);
        await link(src, target).catch(async () => {
          throw new Error(`hard link ${p} → ${h.linkname} points outside the step's changes`);
        });
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        await pipeline(s, createWriteStream(target, { mode }));
        await chmod(target, mode);
      }
      s.resume();
      if (asRoot) await (h.type === 'symlink' ? lchown : chown)(target, h.uid ?? 0, h.gid ?? 0).catch(() => {});
    };
    run().then(() => next(), next);
  });
  await pipeline(exported, extract);
}
