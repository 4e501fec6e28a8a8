import type { GitInfo } from './info.js';
import { sourceUrl } from './info.js';

/** OCI annotations/labels that say which commit built an image, and from what base. */
export function ociLabels(git: GitInfo | undefined, extra: { title?: string; version?: string; url?: string; baseName?: string; baseDigest?: string } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  if (git) {
    out['org.opencontainers.image.revision'] = git.sha;
    if (git.commitTime !== undefined) out['org.opencontainers.image.created'] = new Date(git.commitTime * 1000).toISOString();
    const src = sourceUrl(git.remoteUrl);
    if (src) out['org.opencontainers.image.source'] = src;
  }
  if (extra.title) out['org.opencontainers.image.title'] = extra.title;
  const version = extra.version ?? git?.short;
  if (version) out['org.opencontainers.image.version'] = version;
  const url = extra.url ?? sourceUrl(git?.remoteUrl);
  if (url) out['org.opencontainers.image.url'] = url;
  if (extra.baseName) out['org.opencontainers.image.base.name'] = extra.baseName;
  if (extra.baseDigest) out['org.opencontainers.image.base.digest'] = extra.baseDigest;
  return out;
}
