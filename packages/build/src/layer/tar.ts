import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { PlannedEntry } from './plan.js';
import { END_OF_ARCHIVE, encodeHeader, padding, type TarHeader } from './tar-header.js';

import { DEFAULT_CHUNK } from './pgzip.js';

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
 * Streams planned entries as a tar, in chunks of exactly `chunkSize` bytes (the last one shorter),
 * which is what parallel gzip compresses: file content is read straight into the chunk (no piece
 * buffers to allocate, copy and collect) and hashed there, so the cache never needs a second read.
 * mtime = epoch, uid/gid as planned, empty uname/gname, PAX headers only for long or non-ASCII
 * names and huge sizes. Reads are synchronous on purpose: on small files the threadpool round trips
 * of fs.promises cost 10x the read itself, and this thread is the producer while gzip runs on the
 * threadpool. `result` is filled in when the generator is exhausted.
 */
export function tarStream(entries: PlannedEntry[], epoch: number, chunkSize = DEFAULT_CHUNK): { stream: Iterable<Buffer>; result: TarResult } {
  const result: TarResult = { hashes: new Map(), files: 0, bytes: 0 };
  let buf = Buffer.allocUnsafe(chunkSize);
  let fill = 0;
  function* flushIfFull(): Generator<Buffer> {
    if (fill < chunkSize) return;
    yield buf;
    buf = Buffer.allocUnsafe(chunkSize);
    fill = 0;
  }
  function* put(b: Uint8Array): Generator<Buffer> {
    for (let off = 0; off < b.length; ) {
      const n = Math.min(b.length - off, chunkSize - fill);
      buf.set(b.subarray(off, off + n), fill);
      fill += n;
      off += n;
      yield* flushIfFull();
    }
  }
  function* zeros(count: number): Generator<Buffer> {
    while (count > 0) {
      const n = Math.min(count, chunkSize - fill);
      buf.fill(0, fill, fill + n);
      fill += n;
      count -= n;
      yield* flushIfFull();
    }
  }
  function* file(path: string, size: number): Generator<Buffer> {
    const hash = createHash('sha256');
    const fd = openSync(path, 'r');
    try {
      let n = 0;
      for (;;) {
        // One byte more than expected is asked for, so a file that grew is noticed; a short
        // answer to an uncapped request is the end of the file (no extra read returning 0).
        const rest = size - n + 1;
        const want = Math.min(rest, chunkSize - fill);
        const r = readSync(fd, buf, fill, want, null);
        if (r === 0) break;
        n += r;
        if (n > size) throw changed(path, size, n);
        hash.update(buf.subarray(fill, fill + r));
        fill += r;
        yield* flushIfFull();
        if (r < want && want === rest) break;
      }
      if (n !== size) throw changed(path, size, n);
    } finally {
      closeSync(fd);
    }
    result.hashes.set(path, hash.digest('hex'));
  }
  function* gen(): Generator<Buffer> {
    for (const e of entries) {
      const h: TarHeader = { name: e.name, mode: e.mode, uid: e.uid, gid: e.gid, mtime: epoch, size: 0, type: '0' };
      const s = e.source;
      if (s.kind === 'dir') yield* put(encodeHeader({ ...h, name: `${e.name}/`, type: '5' }));
      else if (s.kind === 'symlink') yield* put(encodeHeader({ ...h, type: '2', linkname: s.target }));
      else if (s.kind === 'hardlink') yield* put(encodeHeader({ ...h, type: '1', linkname: s.target }));
      else if (s.kind === 'whiteout' || s.kind === 'opaque') yield* put(encodeHeader(h));
      else if (s.kind === 'bytes') {
        yield* put(encodeHeader({ ...h, size: s.data.byteLength }));
        yield* put(s.data);
        yield* zeros(padding(s.data.byteLength));
        result.files++;
        result.bytes += s.data.byteLength;
      } else {
        yield* put(encodeHeader({ ...h, size: s.size }));
        yield* file(s.path, s.size);
        yield* zeros(padding(s.size));
        result.files++;
        result.bytes += s.size;
      }
    }
    yield* put(END_OF_ARCHIVE);
    if (fill > 0) yield buf.subarray(0, fill);
  }
  return { stream: gen(), result };
}
