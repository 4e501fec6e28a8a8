// The chroot executor's snapshot as it was before branch run-exec (commit 033d72a), kept verbatim
// (types stripped) as the reference bench/run-step.mjs measures the current one against: one
// promise-based lstat (bigint) and a readlink per link, awaited one at a time; taken twice per RUN.
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

const SKIP = new Set(['/proc', '/sys', '/dev']);

export async function snapshotBefore(root) {
  const out = new Map();
  const walk = async (dir, rel) => {
    const names = await readdir(dir).catch(() => []);
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
