import { formatReference, silentLogger, type Logger, type Reference } from '@pipeline/core';
import type { Image } from './model/image.js';
import type { ManifestFlavor } from './model/media-types.js';
import type { PushResult } from './registry/push.js';
import type { RegistryClientOptions } from './registry/client.js';

export interface PublishOptions {
  tags: string[];
  flavor?: ManifestFlavor;
  /** Tags that must never move: the git-SHA tags. */
  immutable?: (tag: string) => boolean;
  force?: boolean;
  insecure?: string[];
  logger?: Logger;
  concurrency?: number;
  env?: NodeJS.ProcessEnv;
  credentials?: RegistryClientOptions['credentials'];
}

/** A full 40-hex SHA tag or `sha-<short>`: a commit's tags never point at another image. */
export const isShaTag = (tag: string): boolean => /^[0-9a-f]{40}(-dirty)?$/.test(tag) || /^sha-[0-9a-f]{7,40}(-dirty)?$/.test(tag);

/**
 * Pushes a built image: blobs first (present → skipped, same registry → mounted, other registry →
 * streamed across, else uploaded), then the manifest, then each tag – so no tag ever names a partial image.
 */
export async function publishImage(image: Image, repo: Reference, o: PublishOptions): Promise<PushResult & { reference: string }> {
  const log = o.logger ?? silentLogger;
  const [{ RegistryClient }, { pushImage }] = await Promise.all([import('./registry/client.js'), import('./registry/push.js')]);
  const client = new RegistryClient(repo.registry, { insecure: o.insecure, logger: log, env: o.env, credentials: o.credentials });
  const target = { registry: repo.registry, repository: repo.repository };
  const r = await log.group(`push ${formatReference(target)}`, () =>
    pushImage(client, image, target, {
      tags: o.tags,
      flavor: o.flavor,
      force: o.force,
      immutableTags: o.immutable ?? isShaTag,
      concurrency: o.concurrency,
      onProgress: (p) => log.progress(p.digest, `${p.status} ${p.digest.slice(7, 19)}`, p.sent, p.total),
    }),
  );
  log.info(`pushed ${formatReference({ ...target, digest: r.digest })}: ${r.uploadedBytes} bytes sent, ${r.mountedBlobs} mounted, ${r.skippedBlobs} already there`);
  return { ...r, reference: formatReference({ ...target, digest: r.digest }) };
}
