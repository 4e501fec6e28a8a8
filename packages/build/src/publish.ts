import { formatReference, silentLogger, withTag, type Logger, type Reference } from '@pipeline/core';
import type { Image } from './model/image.js';
import type { ManifestFlavor } from './model/media-types.js';
import type { PushResult } from './registry/push.js';
import type { BlobJob } from './registry/blob-pusher.js';
import type { Layer } from './model/layer.js';
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
  /** Explicit logins by registry; the one for the pushed-to registry applies (else Docker's config). */
  logins?: RegistryClientOptions['logins'];
}

/** A full 40-hex SHA tag or `sha-<short>`: a commit's tags never point at another image. */
export const isShaTag = (tag: string): boolean => /^[0-9a-f]{40}(-dirty)?$/.test(tag) || /^sha-[0-9a-f]{7,40}(-dirty)?$/.test(tag);

/** A push that can start before the image is complete: see startPublish. */
export interface Publisher {
  /** Starts a layer of the image being built on its way (HEAD, mount or upload); never writes a manifest or tag. */
  prefetch(layer: Layer): void;
  /** Pushes the finished image: blobs (awaiting those under way), then the manifest, then each tag. */
  publish(image: Image): Promise<PushResult & { reference: string }>;
}

const jobOf = (l: Layer): BlobJob => ({ digest: l.digest, size: l.size, kind: 'layer', location: l.location, open: () => l.open() });

/**
 * A push begun at the start of a build: layers go out while later ones are still compressing, and
 * base layers are mounted meanwhile. Early blobs wait until the SHA tags are known to be free (a
 * commit pushed before means a tag check that may refuse: then nothing is sent before it; tags may
 * still be being worked out from git, and if that fails nothing is sent at all). What a
 * registry holds is only ever blobs until publish() has confirmed them all.
 */
export function startPublish(repo: Reference, o: Omit<PublishOptions, 'tags'> & { tags: string[] | Promise<string[]> }): Publisher {
  const log = o.logger ?? silentLogger;
  const target = { registry: repo.registry, repository: repo.repository };
  const immutable = o.immutable ?? isShaTag;
  const setup = (async () => {
    const [{ RegistryClient }, { pushImage }, { BlobPusher }, { resolve }] = await Promise.all([import('./registry/client.js'), import('./registry/push.js'), import('./registry/blob-pusher.js'), import('./registry/manifests.js')]);
    const client = new RegistryClient(repo.registry, { insecure: o.insecure, logger: log, env: o.env, credentials: o.credentials, logins: o.logins });
    const pusher = new BlobPusher(client, repo.repository, o.concurrency ?? 3);
    const tagsFree = async () => {
      for (const tag of await o.tags) if (immutable(tag) && (await resolve(client, withTag(target, tag)))) return false;
      return true;
    };
    return { client, pusher, pushImage, tagsFree };
  })();
  setup.catch(() => {});
  // Asked once, on the first early blob: a push that never prefetches costs no extra requests.
  let early: Promise<boolean> | undefined;
  return {
    prefetch(layer) {
      void setup.then(async (s) => {
        early ??= s.tagsFree().catch(() => false); // any doubt (auth, network): the push finds out and says so itself
        if (await early) s.pusher.prefetch(jobOf(layer));
      }, () => {});
    },
    async publish(image) {
      const { client, pusher, pushImage } = await setup;
      const tags = await o.tags;
      const r = await log.group(`push ${formatReference(target)}`, () =>
        pushImage(client, image, target, {
          tags,
          flavor: o.flavor,
          force: o.force,
          immutableTags: immutable,
          concurrency: o.concurrency,
          pusher,
          onProgress: (p) => log.progress(p.digest, `${p.status} ${p.digest.slice(7, 19)}`, p.sent, p.total),
        }),
      );
      log.info(`pushed ${formatReference({ ...target, digest: r.digest })}: ${r.uploadedBytes} bytes sent, ${r.mountedBlobs} mounted, ${r.skippedBlobs} already there`);
      return { ...r, reference: formatReference({ ...target, digest: r.digest }) };
    },
  };
}

/**
 * Pushes a built image: blobs first (present → skipped, same registry → mounted, other registry →
 * streamed across, else uploaded), then the manifest, then each tag – so no tag ever names a partial image.
 */
export async function publishImage(image: Image, repo: Reference, o: PublishOptions): Promise<PushResult & { reference: string }> {
  return startPublish(repo, o).publish(image);
}
