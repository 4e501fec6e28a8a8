import type { Readable } from 'node:stream';
import { RegistryError, type Digest } from '@pipeline/core';
import type { RegistryClient } from './client.js';
import { pushScopes, uploadLocation } from './blobs.js';
import { retryDelay, sleep, withRetry } from './retry.js';
import { counted, fixedChunks } from './streams.js';

export interface UploadOptions {
  /** An upload session already opened (by a declined mount). */
  location?: string;
  /** Called with each piece of bytes handed to the wire. */
  onBytes?: (n: number) => void;
}

export interface UploadResult {
  /** Bytes handed to the wire, including any resent after a failure. */
  sentBytes: number;
  /** The registry answered with this blob's digest (Docker-Content-Digest); false → HEAD to be sure. */
  confirmed: boolean;
}

async function startUpload(client: RegistryClient, repo: string): Promise<string> {
  const { res } = await client.text({ method: 'POST', path: `/v2/${repo}/blobs/uploads/`, scopes: pushScopes(repo), expect: [202], action: 'start blob upload', repository: repo });
  return uploadLocation(client, res);
}

function checkDigest(client: RegistryClient, res: Response, digest: Digest): boolean {
  const answered = res.headers.get('docker-content-digest');
  if (answered && answered !== digest) throw new RegistryError(client.registry, `registry stored ${answered} for blob ${digest}`, { code: 'DIGEST_INVALID', exitCode: 1 });
  return answered === digest;
}

/**
 * Uploads a blob from a stream opened afresh per attempt: one PUT for small blobs, PATCH chunks
 * for large ones. A failed attempt restarts (monolithic) or resumes at the registry's offset (chunked).
 */
export async function uploadBlob(client: RegistryClient, repo: string, desc: { digest: Digest; size: number }, open: () => Promise<Readable>, opts: UploadOptions = {}): Promise<UploadResult> {
  let sentBytes = 0;
  const onBytes = (n: number): void => {
    sentBytes += n;
    opts.onBytes?.(n);
  };
  let location = opts.location;
  const confirmed = await withRetry(async () => {
    // A session from a failed attempt may be broken; a fresh one is cheap.
    const loc = location ?? (await startUpload(client, repo));
    location = undefined;
    return desc.size > client.chunkSize ? chunked(client, repo, desc, await open(), loc, onBytes) : monolithic(client, repo, desc, await open(), loc, onBytes);
  }, client.options.retry, (err, n, wait) => client.logger.debug(`${client.registry}: upload of ${desc.digest} failed (${(err as Error).message}); restarting in ${wait} ms (attempt ${n + 2})`));
  return { sentBytes, confirmed };
}

async function monolithic(client: RegistryClient, repo: string, desc: { digest: Digest; size: number }, src: Readable, loc: string, onBytes: (n: number) => void): Promise<boolean> {
  try {
    const s = await client.request({
      method: 'PUT',
      path: loc,
      query: { digest: desc.digest },
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
      body: () => counted(src, onBytes),
      scopes: pushScopes(repo),
      expect: [201],
      action: `upload blob ${desc.digest}`,
      repository: repo,
      retry: false,
    });
    await s.res.body?.cancel();
    s.done();
    return checkDigest(client, s.res, desc.digest);
  } finally {
    src.destroy();
  }
}

/** Where the registry's copy of an upload ends (`Range: 0-N` → N+1), or undefined if it cannot say. */
async function uploadOffset(client: RegistryClient, repo: string, loc: string): Promise<{ offset: number; location: string } | undefined> {
  try {
    const { res } = await client.text({ method: 'GET', path: loc, scopes: pushScopes(repo), expect: [204], action: 'upload status', repository: repo });
    const m = /^(?:bytes=)?0-(\d+)$/.exec(res.headers.get('range') ?? '');
    return { offset: m ? Number(m[1]) + 1 : 0, location: res.headers.get('location') ? uploadLocation(client, res) : loc };
  } catch {
    return undefined;
  }
}

async function chunked(client: RegistryClient, repo: string, desc: { digest: Digest; size: number }, src: Readable, loc: string, onBytes: (n: number) => void): Promise<boolean> {
  let offset = 0;
  try {
    for await (const chunk of fixedChunks(src, client.chunkSize)) {
      const end = offset + chunk.length;
      for (let attempt = 0; offset < end; attempt++) {
        const part = chunk.subarray(chunk.length - (end - offset));
        try {
          const s = await client.request({
            method: 'PATCH',
            path: loc,
            headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${end - 1}`, 'content-length': String(part.length) },
            body: () => counted([part], onBytes),
            scopes: pushScopes(repo),
            expect: [202],
            action: `upload chunk ${offset}-${end - 1} of ${desc.digest}`,
            repository: repo,
            retry: false,
          });
          await s.res.body?.cancel();
          s.done();
          loc = uploadLocation(client, s.res);
          offset = end;
        } catch (e) {
          const wait = retryDelay(e, attempt, client.options.retry);
          if (wait === undefined) throw e;
          await sleep(wait);
          // Resume where the registry's copy ends if that lies inside the chunk in hand; else restart the blob.
          const st = await uploadOffset(client, repo, loc);
          if (!st || st.offset < end - chunk.length || st.offset > end) throw e;
          client.logger.debug(`${client.registry}: resuming ${desc.digest} at byte ${st.offset}`);
          offset = st.offset;
          loc = st.location;
        }
      }
    }
    const { res } = await client.text({ method: 'PUT', path: loc, query: { digest: desc.digest }, headers: { 'content-length': '0' }, scopes: pushScopes(repo), expect: [201], action: `finish upload of ${desc.digest}`, repository: repo, retry: false });
    return checkDigest(client, res, desc.digest);
  } finally {
    src.destroy();
  }
}
