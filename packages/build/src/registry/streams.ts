import type { Readable } from 'node:stream';
import { RegistryError } from '@pipeline/core';
import type { Sent } from './http.js';

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

/** Largest manifest, token or error answer read into memory (distribution caps manifests at 4 MiB too). */
export const MAX_SMALL_BODY = 4 * 1024 * 1024;

/** Reads a whole answer body, at most `max` bytes: a registry (or a proxy in front of it) cannot make us hold more. */
export async function readLimited(s: Sent, max: number, registry: string, action: string): Promise<Buffer> {
  const declared = Number(s.res.headers.get('content-length'));
  const tooBig = (): RegistryError => new RegistryError(registry, `${action}: the answer is larger than ${max} bytes`, { exitCode: 1, hint: 'is this a registry? a manifest is at most 4 MiB' });
  if (declared > max) {
    await s.res.body?.cancel().catch(() => {});
    throw tooBig();
  }
  if (!s.res.body) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of s.res.body as unknown as AsyncIterable<Uint8Array>) {
    s.touch();
    n += c.byteLength;
    if (n > max) {
      s.abort(tooBig());
      throw tooBig();
    }
    parts.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  }
  return Buffer.concat(parts, n);
}
