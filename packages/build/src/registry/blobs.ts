import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { RegistryError, type Digest } from '@pipeline/core';
import { repoScope } from './challenge.js';
import type { RegistryClient } from './client.js';
import { networkError } from './errors.js';
import { retryDelay, sleep } from './retry.js';

const pull = (repo: string) => [repoScope(repo, ['pull'])];
const push = (repo: string) => [repoScope(repo, ['pull', 'push'])];
export { pull as pullScopes, push as pushScopes };

/** HEAD the blob: true when the repository already has it. */
export async function hasBlob(client: RegistryClient, repo: string, digest: Digest): Promise<boolean> {
  const s = await client.request({ method: 'HEAD', path: `/v2/${repo}/blobs/${digest}`, scopes: pull(repo), expect: [200, 404], action: `HEAD blob ${digest}`, repository: repo, followRedirects: true });
  s.done();
  await s.res.body?.cancel();
  return s.res.status === 200;
}

export type MountResult = { mounted: true } | { mounted: false; location: string };

/** Cross-repository mount; a 202 means the registry declined and opened an upload we continue with. */
export async function mountBlob(client: RegistryClient, repo: string, digest: Digest, from: string): Promise<MountResult> {
  const { res } = await client.text({
    method: 'POST',
    path: `/v2/${repo}/blobs/uploads/`,
    query: { mount: digest, from },
    scopes: [...push(repo), ...pull(from)],
    expect: [201, 202],
    action: `mount blob ${digest} from ${from}`,
    repository: repo,
  });
  if (res.status === 201) return { mounted: true };
  return { mounted: false, location: uploadLocation(client, res) };
}

export function uploadLocation(client: RegistryClient, res: Response): string {
  const loc = res.headers.get('location');
  if (!loc) throw new RegistryError(client.registry, `HTTP ${res.status} without a Location header for the upload`, { exitCode: 1 });
  return new URL(loc, client.base).toString();
}

/**
 * Streams a blob, hashing as it goes: the stream errors at its end if the bytes do not match
 * the digest. A connection lost mid-body resumes with a Range request (bounded by the retry policy).
 */
export function getBlob(client: RegistryClient, repo: string, desc: { digest: Digest; size?: number }): Readable {
  async function* body(): AsyncGenerator<Buffer> {
    const hash = createHash(desc.digest.startsWith('sha512:') ? 'sha512' : 'sha256');
    let got = 0;
    for (let attempt = 0; ; attempt++) {
      const s = await client.request({
        method: 'GET',
        path: `/v2/${repo}/blobs/${desc.digest}`,
        headers: got ? { range: `bytes=${got}-` } : {},
        scopes: pull(repo),
        expect: got ? [200, 206] : [200],
        action: `GET blob ${desc.digest}`,
        repository: repo,
        followRedirects: true,
      });
      // A server that ignores Range resends everything: skip what we already have.
      let skip = got && s.res.status === 200 ? got : 0;
      try {
        for await (const c of s.res.body as unknown as AsyncIterable<Uint8Array>) {
          s.touch();
          let b = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
          if (skip) {
            const n = Math.min(skip, b.length);
            skip -= n;
            b = b.subarray(n);
            if (!b.length) continue;
          }
          hash.update(b);
          got += b.length;
          yield b;
        }
        s.done();
        break;
      } catch (e) {
        s.done();
        const err = networkError(e, { registry: client.registry, repository: repo, action: `GET blob ${desc.digest}` });
        const wait = retryDelay(err, attempt, client.options.retry);
        if (wait === undefined) throw err;
        await sleep(wait);
      }
    }
    const actual = `${desc.digest.slice(0, desc.digest.indexOf(':'))}:${hash.digest('hex')}`;
    if (actual !== desc.digest || (desc.size !== undefined && got !== desc.size)) {
      throw new RegistryError(client.registry, `blob ${desc.digest} in ${repo} does not match its digest (got ${actual}, ${got} bytes)`, { code: 'DIGEST_INVALID', exitCode: 1 });
    }
  }
  return Readable.from(body(), { objectMode: false });
}
