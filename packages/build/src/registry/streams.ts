import type { Readable } from 'node:stream';

/** Yields the source's bytes, reporting each piece; counts what really leaves for the wire. */
export async function* counted(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    onBytes(chunk.length);
    yield chunk;
  }
}

/** Re-cuts a stream into buffers of exactly `size` bytes (the last may be shorter): one chunk in memory at a time. */
export async function* fixedChunks(source: Readable | AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const c of source) {
    let buf = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
    while (buf.length) {
      const take = Math.min(size - have, buf.length);
      parts.push(buf.subarray(0, take));
      have += take;
      buf = buf.subarray(take);
      if (have === size) {
        yield Buffer.concat(parts, size);
        parts = [];
        have = 0;
      }
    }
  }
  if (have) yield Buffer.concat(parts, have);
}
