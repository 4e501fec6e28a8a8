import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { cpus } from 'node:os';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Digest } from '@pipeline/core';

const gzipAsync = promisify(gzip);

export interface CompressOptions {
  /** 1 by default: layers are mostly already-compressed or code; level 6 costs ~3x the CPU for a few % of size. */
  level?: number;
  /** Bytes of tar per gzip member. */
  chunkSize?: number;
  /** Members compressing at once on libuv's threadpool. */
  parallel?: number;
}

export interface Compressed {
  diffId: Digest;
  digest: Digest;
  size: number;
  uncompressedSize: number;
}

export const DEFAULT_CHUNK = 1 << 20;

/**
 * Parallel gzip: the tar is cut into fixed-size chunks, each compressed as an independent gzip
 * member on the threadpool, members written in order. Fixed chunk boundaries and Node's fixed
 * gzip header make the bytes identical run after run; gzip readers concatenate members (RFC 1952).
 * Memory is bounded by chunkSize × (parallel + 1).
 */
export async function compressToFile(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, file: string, o: CompressOptions = {}): Promise<Compressed> {
  const level = o.level ?? 1;
  const chunkSize = o.chunkSize ?? DEFAULT_CHUNK;
  const parallel = o.parallel ?? Math.max(2, Math.min(4, cpus().length + 1));
  const raw = createHash('sha256');
  const comp = createHash('sha256');
  const fh = await open(file, 'w');
  const queue: Promise<Buffer>[] = [];
  let size = 0;
  let total = 0;
  let buf = Buffer.allocUnsafe(chunkSize);
  let fill = 0;
  const dispatch = (b: Uint8Array) => {
    // An output buffer larger than deflate's bound for the chunk: one threadpool round trip per
    // member instead of one per 16 KiB of output (the default), which cost ~140 ms of main thread.
    const p = gzipAsync(b, { level, chunkSize: b.length + (b.length >> 3) + 1024 });
    p.catch(() => {}); // awaited in order below; this only silences the unawaited tail on error
    queue.push(p);
  };
  const writeHead = async () => {
    const out = await queue.shift()!;
    comp.update(out);
    size += out.length;
    await fh.write(out);
  };
  try {
    for await (const chunk of source) {
      raw.update(chunk);
      total += chunk.length;
      if (fill === 0 && chunk.length === chunkSize) {
        // Already a whole member (tarStream yields these): compressed as is, no copy.
        dispatch(chunk);
        while (queue.length >= parallel) await writeHead();
        continue;
      }
      for (let off = 0; off < chunk.length; ) {
        const n = Math.min(chunk.length - off, chunkSize - fill);
        Buffer.from(chunk.buffer, chunk.byteOffset + off, n).copy(buf, fill);
        fill += n;
        off += n;
        if (fill === chunkSize) {
          dispatch(buf);
          buf = Buffer.allocUnsafe(chunkSize);
          fill = 0;
          while (queue.length >= parallel) await writeHead();
        }
      }
    }
    if (fill > 0 || total === 0) dispatch(buf.subarray(0, fill));
    while (queue.length) await writeHead();
  } finally {
    await fh.close();
  }
  return { diffId: `sha256:${raw.digest('hex')}`, digest: `sha256:${comp.digest('hex')}`, size, uncompressedSize: total };
}
