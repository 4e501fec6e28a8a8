import { PipelineError, formatReference, type Logger, type Reference } from '@pipeline/core';
import type { Platform } from '../model/types.js';
import type { RegistryReader } from './resolve.js';
import type { RegistryClient, RegistryClientOptions } from '../registry/client.js';

/** One client per registry for a whole build (tokens and connections are reused). */
export function clientPool(opts: RegistryClientOptions = {}) {
  const clients = new Map<string, Promise<RegistryClient>>();
  return (registry: string): Promise<RegistryClient> => {
    let c = clients.get(registry);
    if (!c) {
      // Loaded on first use: a build FROM scratch or a local layout never pays for the registry code.
      c = import('../registry/client.js').then((m) => new m.RegistryClient(registry, opts));
      clients.set(registry, c);
    }
    return c;
  };
}

/** Reads FROM images from registries: manifest and config only; semver ranges resolved to a tag first. */
export function registryReader(opts: RegistryClientOptions & { logger?: Logger } = {}): RegistryReader {
  const pool = clientPool(opts);
  return async (ref: Reference, platform?: Platform, range?: string) => {
    const client = await pool(ref.registry);
    let r = ref;
    if (range) {
      const [{ listTags }, { resolveSemverTag }] = await Promise.all([import('../registry/tags.js'), import('../git/tags.js')]);
      const tags = await listTags(client, ref.repository);
      const tag = resolveSemverTag(tags, range);
      if (!tag) throw new PipelineError('usage', `no tag of ${formatReference({ ...ref, tag: undefined })} satisfies ${range}`, { hint: `tags there: ${tags.slice(-10).join(', ') || '(none)'}` });
      opts.logger?.info(`${formatReference({ ...ref, tag: undefined })}:${range} → ${tag}`);
      r = { ...ref, tag };
    }
    const { fetchImage } = await import('../registry/fetch-image.js');
    const f = await fetchImage(client, r, { platform });
    return { image: f.image, digest: f.digest, tag: r.tag };
  };
}

/** Resolves registry references to manifest digests (HEAD; a digest already given is returned as is). */
export function registryResolver(opts: RegistryClientOptions & { logger?: Logger } = {}): (ref: Reference) => Promise<string> {
  const pool = clientPool(opts);
  return async (ref) => {
    if (ref.digest) return ref.digest;
    const client = await pool(ref.registry);
    const { resolve } = await import('../registry/manifests.js');
    const d = await resolve(client, ref);
    if (!d) throw new PipelineError('usage', `${formatReference(ref)} does not exist`, { hint: 'check the name and tag (and that it was pushed)' });
    return d.digest;
  };
}
