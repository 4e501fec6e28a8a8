import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, link, copyFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestHex, type Digest } from '@pipeline/core';

/** Path of a blob inside an OCI-layout-shaped directory (`blobs/sha256/<hex>`). */
export function blobPath(root: string, digest: Digest): string {
  return join(root, 'blobs', digest.slice(0, digest.indexOf(':')), digestHex(digest));
}

export async function blobSize(root: string, digest: Digest): Promise<number | undefined> {
  try {
    return (await stat(blobPath(root, digest))).size;
  } catch {
    return undefined;
  }
}

/** Counts and hashes bytes passing through, so a stream's digest is checked without a second read. */
export function hashingStream(): Transform & { digest(): Digest; bytes(): number } {
  const hash = createHash('sha256');
  let n = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      n += chunk.length;
      cb(null, chunk);
    },
  }) as Transform & { digest(): Digest; bytes(): number };
  let done: Digest | undefined;
  t.digest = () => (done ??= `sha256:${hash.digest('hex')}`);
  t.bytes = () => n;
  return t;
}

/**
 * Writes a stream into the store under its digest: a temp file, verified, then renamed,
 * so a reader never sees a partial blob and an interrupted write leaves only a temp file.
 */
export async function ingestBlob(root: string, digest: Digest, source: Readable, expectedSize?: number): Promise<number> {
  const target = blobPath(root, digest);
  const existing = await blobSize(root, digest);
  if (existing !== undefined && (expectedSize === undefined || existing === expectedSize)) {
    source.destroy();
    return existing;
  }
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
  const h = hashingStream();
  try {
    await pipeline(source, h, createWriteStream(tmp));
    if (h.digest() !== digest) throw new Error(`blob digest mismatch: expected ${digest}, got ${h.digest()}`);
    if (expectedSize !== undefined && h.bytes() !== expectedSize) throw new Error(`blob ${digest} size mismatch: expected ${expectedSize}, got ${h.bytes()}`);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return h.bytes();
}

export function openBlob(root: string, digest: Digest): Readable {
  return createReadStream(blobPath(root, digest));
}

/** Places a blob from one store into another: a hard link when possible (instant, no extra disk), else a copy. */
export async function linkBlob(fromRoot: string, toRoot: string, digest: Digest): Promise<void> {
  const to = blobPath(toRoot, digest);
  if ((await blobSize(toRoot, digest)) !== undefined) return;
  await mkdir(dirname(to), { recursive: true });
  const from = blobPath(fromRoot, digest);
  const tmp = `${to}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await link(from, tmp);
  } catch {
    await copyFile(from, tmp);
  }
  await rename(tmp, to);
}
