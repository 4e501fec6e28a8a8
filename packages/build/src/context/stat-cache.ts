import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '../fs/atomic.js';

/** sha256 hex of a file by synchronous reads into `buf`: memory stays flat for any file size. */
export function hashFile(path: string, buf: Buffer = Buffer.allocUnsafe(1 << 20)): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** What must be unchanged for a remembered hash to still be true (git's index idea). */
export interface FileStat {
  size: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
}

type Row = [size: number, mtimeNs: string, ctimeNs: string, ino: string, sha256: string];

const VERSION = 1;
const loaded = new Map<string, Promise<StatCache>>();
/**
 * A file changed less than this long before it was hashed could change again within the same
 * (coarse, jiffy-sized) timestamp tick unnoticed, so its hash is not remembered (git's "racy" entries).
 */
const RACY_NS = 100_000_000n;

/**
 * Per-root map of file path → content sha256, valid while size, mtime, ctime and inode are
 * unchanged, so an unchanged tree is never re-read. One JSON file per root, written atomically;
 * an unreadable or foreign file counts as empty.
 */
export class StatCache {
  private rows = new Map<string, Row>();
  private dirty = false;

  private constructor(private readonly file: string | undefined) {}

  static async load(cacheDir: string | undefined, root: string): Promise<StatCache> {
    if (!cacheDir) return new StatCache(undefined);
    const file = join(cacheDir, 'stat', `${createHash('sha256').update(root).digest('hex').slice(0, 32)}.json`);
    // One instance per file in a process: every COPY from the same context shares it, so the
    // (large) file is parsed once per build, not once per layer.
    // The promise is shared, so a second caller never sees an instance still being filled.
    let p = loaded.get(file);
    if (!p) loaded.set(file, (p = StatCache.read(file, root)));
    return p;
  }

  private static async read(file: string, root: string): Promise<StatCache> {
    const c = new StatCache(file);
    try {
      const j = JSON.parse(await readFile(file, 'utf8')) as { v: number; root: string; rows: Record<string, Row> };
      if (j.v === VERSION && j.root === root && j.rows && typeof j.rows === 'object') c.rows = new Map(Object.entries(j.rows));
    } catch {
      /* missing or corrupt: start empty */
    }
    c.root = root;
    return c;
  }

  private root = '';

  get(path: string, s: FileStat): string | undefined {
    const r = this.rows.get(path);
    if (!r || r.length !== 5) return undefined;
    return r[0] === s.size && r[1] === String(s.mtimeNs) && r[2] === String(s.ctimeNs) && r[3] === String(s.ino) ? r[4] : undefined;
  }

  /** Remembers a hash taken at `hashedAtNs`, unless the file was too fresh to trust its timestamps. */
  set(path: string, s: FileStat, sha256: string, hashedAtNs: bigint): void {
    if (s.mtimeNs > hashedAtNs - RACY_NS || s.ctimeNs > hashedAtNs - RACY_NS) return;
    this.rows.set(path, [s.size, String(s.mtimeNs), String(s.ctimeNs), String(s.ino), sha256]);
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    await writeAtomic(this.file, JSON.stringify({ v: VERSION, root: this.root, rows: Object.fromEntries(this.rows) }));
    this.dirty = false;
  }
}
