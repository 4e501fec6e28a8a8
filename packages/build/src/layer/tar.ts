import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import tar from 'tar-stream';
import type { PlannedEntry } from './plan.js';

/** Files up to this size are read in one call; bigger ones are streamed in 64 KiB pieces. */
type Header = Partial<tar.Header> & { name: string };

const SMALL_FILE = 512 * 1024;

export interface TarResult {
  /** sha256 hex of each on-disk file's content, by its path on disk. */
  hashes: Map<string, string>;
  files: number;
  bytes: number;
}

function changed(path: string, expected: number, got: number): Error {
  return new Error(`${path} changed while it was being added to a layer: expected ${expected} bytes, got ${got}`);
}

/**
 * Streams planned entries as a tar: mtime = epoch, empty uname/gname, PAX only for long or
 * non-ASCII names (tar-stream's choice). Returns the readable and a promise of what was written;
 * file content is hashed on the way, so the cache never needs a second read.
 */
export function tarStream(entries: PlannedEntry[], epoch: number): { stream: AsyncIterable<Uint8Array>; done: Promise<TarResult> } {
  const pack = tar.pack();
  const mtime = new Date(epoch * 1000);
  const hashes = new Map<string, string>();
  let files = 0;
  let bytes = 0;
  const put = (header: Header, data?: Buffer) =>
    new Promise<void>((ok, fail) => {
      const cb = (err?: Error | null) => (err ? fail(err) : ok());
      if (data) pack.entry(header, data, cb);
      else pack.entry(header, cb);
    });

  const done = (async () => {
    for (const e of entries) {
      const h: Header = { name: e.name, mode: e.mode, uid: e.uid, gid: e.gid, mtime, uname: '', gname: '' };
      const s = e.source;
      if (s.kind === 'dir') await put({ ...h, name: `${e.name}/`, type: 'directory' });
      else if (s.kind === 'symlink') await put({ ...h, type: 'symlink', linkname: s.target });
      else if (s.kind === 'hardlink') await put({ ...h, type: 'link', linkname: s.target });
      else if (s.kind === 'whiteout' || s.kind === 'opaque') await put({ ...h, type: 'file' }, Buffer.alloc(0));
      else if (s.kind === 'bytes') {
        await put({ ...h, type: 'file' }, Buffer.from(s.data.buffer, s.data.byteOffset, s.data.byteLength));
        files++;
        bytes += s.data.byteLength;
      } else {
        const hash = createHash('sha256');
        if (s.size <= SMALL_FILE) {
          const data = await readFile(s.path);
          if (data.length !== s.size) throw changed(s.path, s.size, data.length);
          hash.update(data);
          await put({ ...h, type: 'file', size: s.size }, data);
        } else {
          await new Promise<void>((ok, fail) => {
            const sink = pack.entry({ ...h, type: 'file', size: s.size }, (err) => (err ? fail(err) : ok()));
            let n = 0;
            const rs = createReadStream(s.path, { highWaterMark: 256 * 1024 });
            rs.on('data', (c) => {
              n += c.length;
              if (n > s.size) return rs.destroy(changed(s.path, s.size, n));
              hash.update(c as Buffer);
              if (!sink.write(c)) rs.pause();
            });
            sink.on('drain', () => rs.resume());
            rs.on('error', (err) => (sink.destroy(err), fail(err)));
            rs.on('end', () => (n !== s.size ? fail(changed(s.path, s.size, n)) : sink.end(null)));
          });
        }
        hashes.set(s.path, hash.digest('hex'));
        files++;
        bytes += s.size;
      }
    }
    pack.finalize();
    return { hashes, files, bytes };
  })();
  done.catch((err) => pack.destroy(err));
  return { stream: pack as unknown as AsyncIterable<Uint8Array>, done };
}
