import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DockerfileError, isDigest, type Digest, quote, cut } from '@pipeline/core';
import type { Pos } from '../dockerfile/types.js';
import { blobPath, blobSize, hashingStream } from '../store/blob-store.js';
import { trustedFetch } from '../registry/trust.js';

export const isRemoteUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** The file name ADD gives a URL source: the last path segment, as Docker does. */
export function urlFileName(url: string): string {
  const name = new URL(url).pathname.split('/').filter(Boolean).pop();
  return name ? decodeURIComponent(name) : 'index.html';
}

/**
 * Downloads an ADD URL into the blob store, verified against `--checksum` when given. With a
 * checksum a second build reads the store and never touches the network.
 */
export async function fetchUrl(url: string, store: string, where: { file: string; pos: Pos }, checksum?: string): Promise<{ path: string; digest: Digest }> {
  if (checksum !== undefined && !isDigest(checksum)) throw new DockerfileError(`Expected --checksum=sha256:<64 hex>, got ${quote(checksum)}`, { file: where.file, ...where.pos });
  if (checksum && (await blobSize(store, checksum as Digest)) !== undefined) return { path: blobPath(store, checksum as Digest), digest: checksum as Digest };
  let res: Response;
  try {
    res = await (await trustedFetch())(url, { redirect: 'follow' }); // SSL_CERT_FILE's CAs, as for registries
  } catch (e) {
    throw new DockerfileError(`ADD ${cut(url)}: cannot download (${(e as Error).message})`, { file: where.file, ...where.pos });
  }
  if (!res.ok || !res.body) throw new DockerfileError(`ADD ${cut(url)}: the server answered ${res.status} ${res.statusText}`, { file: where.file, ...where.pos });
  const dir = join(store, 'blobs', 'sha256');
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.dl-${randomBytes(6).toString('hex')}`);
  const h = hashingStream();
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), h, createWriteStream(tmp));
  } catch (e) {
    await rm(tmp, { force: true });
    throw new DockerfileError(`ADD ${cut(url)}: download broke off (${(e as Error).message})`, { file: where.file, ...where.pos });
  }
  const digest = h.digest();
  if (checksum && checksum !== digest) {
    await rm(tmp, { force: true });
    throw new DockerfileError(`ADD ${cut(url)}: checksum mismatch: expected ${checksum}, got ${digest}`, { file: where.file, ...where.pos }, 'the file changed on the server, or --checksum is wrong');
  }
  await rename(tmp, blobPath(store, digest));
  return { path: blobPath(store, digest), digest };
}
