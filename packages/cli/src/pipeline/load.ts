import { join } from 'node:path';
import { PipelineError, parseReference } from '@pipeline/core';
import { clientPool, fetchImage, parseImageSource, readOciLayout, type Credentials, type Image } from '@pipeline/build';
import type { PipelineConfig } from '../config/index.js';
import { readRecord, stateDir } from './record.js';

/** Where the local copy of an image lives (one OCI layout per image name, the current image under `latest`). */
export const localCopy = (cfg: PipelineConfig, name: string) => ({ dir: join(stateDir(cfg.dir), 'images', name), ref: 'latest' });

/**
 * Reads an image from where a record or plan says it is: `oci:DIR:ref` (the manifest's annotations
 * kept, so it pushes to the very same digest) or `registry/repo@digest` (manifest and config only;
 * layers are read from the registry when a test needs them).
 */
export async function loadSource(source: string, o: { insecure?: string[]; logins?: Record<string, Credentials>; env?: NodeJS.ProcessEnv } = {}): Promise<{ image: Image; digest: string }> {
  const src = parseImageSource(source, '/');
  if (src.kind === 'oci') {
    const r = await readOciLayout(src.dir, { ref: src.ref });
    return { image: r.annotations ? { ...r.image, annotations: r.annotations } : r.image, digest: r.digest };
  }
  const ref = parseReference(source);
  const client = await clientPool({ insecure: o.insecure, logins: o.logins, env: o.env })(ref.registry);
  const f = await fetchImage(client, ref);
  return { image: f.image, digest: f.digest };
}

/** The last built (or reused) image of a name, for `pipeline test`. */
export async function loadBuilt(cfg: PipelineConfig, name: string, o: { insecure?: string[]; logins?: Record<string, Credentials>; env?: NodeJS.ProcessEnv } = {}): Promise<{ image: Image; digest: string }> {
  const rec = (await readRecord(cfg.dir)).images[name];
  if (!rec) throw new PipelineError('usage', `image ${name} has not been built yet`, { hint: 'run pipeline build first' });
  return loadSource(rec.local ?? rec.source, o);
}
