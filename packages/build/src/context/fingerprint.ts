import { createHash } from 'node:crypto';
import { hashFile, StatCache } from './stat-cache.js';
import { loadIgnore } from './dockerignore.js';
import { walkContextSync } from './walk.js';

const buf = Buffer.allocUnsafe(1 << 20);

/**
 * A content hash of a build context as a build would see it (after .dockerignore): paths, types,
 * exec bits, sizes, contents and link targets – not timestamps. Unchanged files are not re-read
 * (stat cache), so fingerprinting an unchanged tree costs a walk.
 */
export async function contextFingerprint(context: string, dockerfile: string | undefined, cacheDir?: string): Promise<string> {
  const ignore = await loadIgnore(context, dockerfile);
  const stats = await StatCache.load(cacheDir, context);
  const h = createHash('sha256');
  const now = BigInt(Date.now()) * 1_000_000n;
  for (const e of walkContextSync(context, ignore)) {
    let content = '';
    if (e.type === 'file') {
      const st = { size: e.size, mtimeNs: e.mtimeNs, ctimeNs: e.ctimeNs, ino: e.ino };
      content = stats.get(e.abs, st) ?? '';
      if (!content) {
        content = hashFile(e.abs, buf);
        stats.set(e.abs, st, content, now);
      }
    }
    h.update(`${e.path}\0${e.type}\0${e.mode & 0o111 ? 'x' : '-'}\0${e.size}\0${content}\0${e.link ?? ''}\n`);
  }
  await stats.save();
  return h.digest('hex');
}
