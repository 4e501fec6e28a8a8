import type { RegistryReader } from '../sources/resolve.js';
import { RegistryClient, type RegistryClientOptions } from './client.js';
import { fetchImage } from './fetch-image.js';

/** The `FROM registry-image` reader for buildImage: one client per registry, shared token caches. */
export function registryReader(opts: Omit<RegistryClientOptions, 'credentials'> & { clients?: Map<string, RegistryClient> } = {}): RegistryReader {
  const clients = opts.clients ?? new Map<string, RegistryClient>();
  return async (ref, platform) => {
    let c = clients.get(ref.registry);
    if (!c) clients.set(ref.registry, (c = new RegistryClient(ref.registry, opts)));
    const r = await fetchImage(c, ref, { platform });
    return { image: r.image, digest: r.digest };
  };
}
