import { parseJsonObject, RegistryError } from '@pipeline/core';
import { pullScopes } from './blobs.js';
import { repoScope } from './challenge.js';
import type { RegistryClient } from './client.js';

/** `<…/v2/app/tags/list?n=2&last=b>; rel="next"` → the next page's URL, relative or absolute. */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (m && /\brel="?next"?/.test(m[2])) return m[1];
  }
  return undefined;
}

/** All tags, page by page (`n` per page; the registry's Link header drives, `last` when it has none). */
export async function listTags(client: RegistryClient, repo: string, opts: { pageSize?: number; maxPages?: number; onPage?: (tags: string[]) => void } = {}): Promise<string[]> {
  const tags: string[] = [];
  let path = `/v2/${repo}/tags/list`;
  let query: Record<string, string | undefined> | undefined = opts.pageSize ? { n: String(opts.pageSize) } : undefined;
  for (let page = 0; page < (opts.maxPages ?? 1000); page++) {
    const { res, text } = await client.text({ method: 'GET', path, query, scopes: pullScopes(repo), expect: [200, 404], action: `list tags of ${repo}`, repository: repo });
    if (res.status === 404) return tags;
    const body = parseJsonObject<{ tags?: unknown }>(text, () => new RegistryError(client.registry, `list tags of ${repo}: the answer is not a JSON object`, { exitCode: 1 }));
    const got = Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [];
    tags.push(...got);
    opts.onPage?.(got);
    const next = nextLink(res.headers.get('link'));
    if (next) {
      path = next;
      query = undefined;
    } else if (opts.pageSize && got.length === opts.pageSize && !res.headers.has('link')) {
      // Some registries page without a Link header: ask again from the last tag seen.
      query = { n: String(opts.pageSize), last: got[got.length - 1] };
    } else return tags;
  }
  throw new RegistryError(client.registry, `listing tags of ${repo} did not end after ${opts.maxPages} pages`, { exitCode: 1 });
}

/** Deletes a tag only (OCI 1.1 `DELETE /manifests/<tag>`); registries that cannot answer UNSUPPORTED. */
export async function deleteTag(client: RegistryClient, repo: string, tag: string): Promise<void> {
  await client.text({ method: 'DELETE', path: `/v2/${repo}/manifests/${tag}`, scopes: [repoScope(repo, ['delete'])], expect: [202, 200], action: `DELETE tag ${repo}:${tag}`, repository: repo }).catch((e: unknown) => {
    // Distribution 2.8 reads the tag as a digest (DIGEST_INVALID); others say UNSUPPORTED.
    if (e instanceof RegistryError && (e.code === 'UNSUPPORTED' || e.code === 'DIGEST_INVALID' || e.status === 405)) {
      throw new RegistryError(client.registry, `cannot delete tag ${repo}:${tag}: the registry deletes manifests by digest only`, { status: e.status, code: 'UNSUPPORTED', exitCode: 2, cause: e, hint: 'delete the manifest by digest (this removes every tag pointing to it)' });
    }
    throw e;
  });
}
